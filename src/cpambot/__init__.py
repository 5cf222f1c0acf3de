"""cpambot: follows up the Assurance Maladie's returns for French liberal health professionals."""

__version__ = "0.1.0"
