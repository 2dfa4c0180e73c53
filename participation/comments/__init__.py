"""Round-2 feedback: threaded comments on the draft's sections, and support for them."""
