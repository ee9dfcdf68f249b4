"""Asynchronous video interviews: questions, recorded answers, a durable analysis pipeline
(probe, convert, transcribe, text and video metrics, report) and the records people read."""
