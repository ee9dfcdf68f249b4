"""Text to speech adapters: piper (offline default), espeak (instant fallback), openai."""
