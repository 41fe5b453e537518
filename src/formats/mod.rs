//! Import and export of annotated data (spans JSONL, brat, CoNLL, doccano, Prodigy, CSV).
