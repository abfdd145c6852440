"""Work-style surveys: questionnaires, audiences, answers whose anonymity holds in storage,
and results that never show a group smaller than the minimum group size k."""
