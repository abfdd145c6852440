"""Meetings, the one record every use of a meeting hangs off: its time, place and online tool,
organiser, participants inside and outside the city, agenda. Core: transcription (recordings,
transcripts, minutes) attaches to it, as online-meeting scheduling does."""
