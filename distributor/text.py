"""Length counting and splitting per network."""
