"""InterviewKit: a self-hostable platform for AI-assisted technical interviews."""

__version__ = "0.1.0"
