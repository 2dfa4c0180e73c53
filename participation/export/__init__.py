"""The participation document (participatiedocument): gathered once, rendered per format."""
