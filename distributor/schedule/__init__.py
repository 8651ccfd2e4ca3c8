"""When deliveries go: the clock, the publisher's wall-clock times, the day's plan and
the worker that sends what is due."""
