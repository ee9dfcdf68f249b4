"""Speech engines behind ports: speech to text, text to speech, voice activity.

Shared by the voice interviewer and the async video pipeline. Every offline default's
model ships inside a package (nothing is downloaded at run time); see ``ports``.
"""
