"""The team's dashboard per process: who took part, where the input went, what is answered."""
