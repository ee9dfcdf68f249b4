"""The voice interviewer: audio in over the live channel, speech out (see docs/voice.md)."""
