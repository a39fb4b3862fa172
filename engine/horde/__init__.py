"""The horde wiring layer (placeholder docstring; the horde helper owns this file)."""
