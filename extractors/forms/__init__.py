"""Form understanding: what each page is, and which notice the packet answers."""
