""""You said, we did" (u zei, wij deden): the public page per process made from the responses,
and the one mail with its link when the team marks the participation document final."""
