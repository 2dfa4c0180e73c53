"""The member check (meeleesronde op het verslag): participants check how the document shows
their input before it goes to the council."""
