"""distributor: articles in; email digest, social threads and a roundup out, each once."""

__version__ = "0.1.0"
