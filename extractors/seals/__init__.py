"""Seals: detection, legend reading, cross-page seal (骑缝章) joining, pasted-seal forensics."""
