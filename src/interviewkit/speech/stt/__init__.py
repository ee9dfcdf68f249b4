"""Speech to text adapters: whisper (offline default), pocketsphinx (fallback), openai."""
