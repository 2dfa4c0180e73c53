"""Login through OpenID Connect providers (a municipality's broker: DigiD, eHerkenning)."""
