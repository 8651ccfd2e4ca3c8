"""Hand-made stories for the email tests (invented facts, written for these tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from distributor.models import Article, Figure, Image, Quote, Span, Story

DAY = date(2026, 11, 28)


def story(
    n: int,
    *,
    title: str | None = None,
    summary: str | None = None,
    url: str | None = "default",
    image: Image | None = None,
    figures: tuple[str, ...] = (),
    quote: tuple[str, str | None, str | None] | None = None,
    source: str = "gov",
    tags: tuple[str, ...] = (),
    hour: int = 8,
) -> Story:
    title = title if title is not None else f"Ministry publishes plan number {n} for rural buses"
    summary = (
        summary
        if summary is not None
        else (f"Plan {n} sets out how villages will keep at least one bus an hour on weekdays.")
    )
    said = [f"“{quote[0]}”"] if quote is not None else []
    body = "\n".join([summary, *(f"- {f}" for f in figures), *said, "Closing paragraph."])
    article = Article(
        source_id=source,
        guid=f"guid-{n}",
        title=title,
        body=body,
        url=f"https://news.example.org/stories/{n}" if url == "default" else url,
        published_at=datetime(2026, 11, 28, hour, n % 60, tzinfo=UTC),
        image=image,
        tags=tags,
    )
    # Offsets point into the body, as extraction's do.
    figs = tuple(
        Figure(text=f, value=(f.split() or [f])[0], start=body.find(f), end=body.find(f) + len(f))
        for f in figures
    )
    q = None
    if quote is not None:
        q = Quote(
            text=quote[0],
            speaker=quote[1],
            role=quote[2],
            segments=(Span(quote[0], body.find(quote[0]), body.find(quote[0]) + len(quote[0])),),
        )
    return Story(article=article, headline=title, summary=summary, key_figures=figs, quote=q)


def sample_stories() -> list[Story]:
    """The fixed day the golden files pin: a mix of cards and one-line stories."""
    return [
        story(
            1,
            title="Flood barrier on the River Wend will shield 2,000 homes",
            summary="Construction of a tidal barrier starts in March and should finish "
            "before the winter storms of 2028.",
            image=Image(
                "https://news.example.org/img/barrier.jpg",
                "Engineers survey the river bank",
                1200,
                800,
            ),
            figures=(
                "2,000 homes protected from a one-in-200-year flood",
                "£48m budget, a third from local councils",
            ),
            quote=(
                "We are building this so families stop fearing every forecast",
                "Priya Natarajan",
                "Floods Minister",
            ),
            tags=("environment",),
            hour=9,
        ),
        story(
            2,
            title="Free school meals extended to 90,000 more pupils",
            summary="Families earning under £25,000 will qualify from September.",
            figures=("90,000 additional pupils eligible",),
            tags=("education",),
            hour=7,
        ),
        story(
            3,
            title="Passport office clears its summer backlog",
            summary="Waiting times are back to three weeks, the agency reports.",
            quote=("Staff worked weekends to get every application through", "Tom Okafor", None),
            hour=6,
        ),
        story(
            4,
            title='Councils get new powers over empty shops & "meanwhile" leases',
            summary="High-street landlords must offer units left empty for a year.",
            hour=5,
        ),
        story(
            5,
            title="Coastguard station to reopen in the Hebrides",
            summary="The station closed in 2019.",
            url=None,
            hour=4,
        ),
    ]


def many_stories(n: int, start: int = 1) -> list[Story]:
    """``n`` full stories (image, figures, quote) for size and speed checks."""
    return [
        story(
            i,
            title=f"Department announces funding round {i} for coastal towns and high streets",
            summary="The money will go to projects chosen by residents in an online vote that "
            "closes at the end of the month, with results published in spring.",
            image=Image(f"https://news.example.org/img/{i}.jpg", "A harbour at dawn", 1600, 900),
            figures=(
                f"£{i + 3}m for harbour repairs over three years",
                f"{10 + i} towns on the shortlist",
                "40% of the money reserved for projects led by young people",
            ),
            quote=(
                "Coastal towns told us what they need and this fund answers them",
                "Amira Haddad",
                "Minister for Levelling Up",
            ),
            hour=i % 24,
        )
        for i in range(start, start + n)
    ]


# Three departments' feeds, as source ids, and the names an editor gives them.
SOURCE_NAMES = {
    "https://www.gov.uk/government/organisations/department-for-transport.atom": (
        "Department for Transport"
    ),
    "https://www.gov.uk/government/organisations/department-of-health-and-social-care.atom": (
        "Department of Health and Social Care"
    ),
    "https://www.gov.uk/government/organisations/environment-agency.atom": "Environment Agency",
}
TRANSPORT, HEALTH, ENVIRONMENT = SOURCE_NAMES


def grouped_stories() -> list[Story]:
    """A day from three departments, ranked by the hour they came out (later first):
    two cards, then a roundup that groups by source or by topic."""
    day = [
        (TRANSPORT, "Regulated rail fares frozen for 2027", ("transport",)),
        (HEALTH, "Waiting lists fall for a sixth month in a row", ("health",)),
        (TRANSPORT, "Councils can bid for £95 million for cycle lanes", ("transport",)),
        (ENVIRONMENT, "Survey maps 1,800 km of eroding coastline", ("environment", "coasts")),
        (HEALTH, "Rural dental practices to share £50 million", ("Health",)),
        (TRANSPORT, "Consultation opens on pavement parking", ()),
        (ENVIRONMENT, "Beavers licensed for release on the River Otter", ("environment",)),
        (HEALTH, "Flu vaccine offered to all over-50s from October", ("health",)),
    ]
    return [
        story(
            n,
            title=title,
            summary=f"{title}, the department said.",
            source=source,
            tags=tags,
            hour=20 - n,
        )
        for n, (source, title, tags) in enumerate(day, start=1)
    ]
