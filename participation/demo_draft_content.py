"""Dutch demo texts for the draft (round 2) of the Economische Agenda Assen 2026-2030: two versions
of the concept agenda as Markdown, threaded stakeholder comments on version 1 and two replies by the
project team. Plain data only; organisations come from demo_content.ORGANISATIONS and are fictional.

Section numbers in the comments follow the site's numbering of DRAFT_V1_MD (chapters 1..6,
sub-sections like 3.2 in order of appearance):
1 Inleiding (1.1, 1.2), 2 Visie en strategische pijlers, 3 Ambities per thema (3.1-3.4),
4 Energietransitie en digitalisering (4.1, 4.2), 5 Uitvoering en financiën (5.1, 5.2),
6 Monitoring en bijsturing. DRAFT_V2_MD adds 6.1 Terugkoppeling aan partners."""
from __future__ import annotations

# The concept agenda as published at the start of the feedback round.
DRAFT_V1_MD = """\
Dit is het **concept** van de Economische Agenda Assen 2026-2030. Het concept is gemaakt op \
basis van de inputronde, waarin ondernemers, onderwijs, overheden en maatschappelijke \
organisaties hun ideeën en zorgen hebben gedeeld. In deze tweede ronde vragen we u om het \
concept te lezen en per onderdeel te reageren. Wat kan beter, wat mist er en waar bent u het mee \
eens?

# Inleiding

Met deze Economische Agenda geeft de gemeente Assen richting aan het economisch beleid tot en \
met 2030. De agenda is het kader voor wat we de komende vijf jaar doen voor werk, bedrijvigheid \
en brede welvaart. Ze geeft ondernemers, onderwijs en andere overheden duidelijkheid, zodat zij \
met ons kunnen samenwerken en investeren.

De agenda draagt bij aan de drie ambities van de Asser Ambitie Agenda. Daarmee versterken we de \
centrumfunctie van Assen voor werken, vestigen, wonen en beleven. De uitvoering start op 1 \
januari 2026.

## Terugblik op de agenda 2020-2025

In juni 2020 stelde de gemeenteraad de Economische Agenda 2020-2025 vast. Daarmee had Assen weer \
een actueel kompas voor de economie. De visie en ambities van die agenda liepen al tot en met \
2030. Halverwege hebben we teruggekeken op de resultaten van de afgelopen vijf jaar. Enkele \
voorbeelden:

- de TechHub is een vaste ontmoetingsplek geworden voor bedrijven, studenten en onderzoekers;
- Stichting Ondernemend Assen werkt op meerdere bedrijventerreinen aan parkmanagement;
- het dashboard Economie geeft elk jaar inzicht in banen, vestigingen en leegstand.

Partners gaven aan dat de koers nog steeds klopt. Er zijn **geen grote wijzigingen nodig**. Wel \
maken we een aantal inspanningen scherper en concreter.

## Wat is er veranderd

De economische en maatschappelijke situatie is sinds 2020 flink veranderd. Nieuwe vormen van \
schaarste vragen om een andere focus:

- **Arbeidsmarkt**: in bijna alle sectoren zijn te weinig mensen, vooral in techniek, zorg en \
logistiek.
- **Netcongestie**: het stroomnet zit vol, waardoor bedrijven niet altijd kunnen uitbreiden of \
verduurzamen.
- **Ruimte**: er is weinig vrije grond voor nieuwe en groeiende bedrijven.
- **Digitalisering**: nieuwe technologie, zoals kunstmatige intelligentie, verandert het werk \
snel.

Daarnaast zorgen geopolitieke spanningen en een wisselende economie voor onzekerheid. Daarom \
kiezen we voor een agenda die richting geeft, maar ruimte laat om elk jaar bij te sturen.

# Visie en strategische pijlers

Onze visie blijft: Assen is in 2030 een **sterke centrumstad in Noord-Nederland**, waar het goed \
werken, ondernemen en leven is. Economische groei is voor ons geen doel op zich. Het gaat om \
brede welvaart: werk voor iedereen, een gezonde leefomgeving en gelijke kansen.

De agenda rust op drie strategische pijlers, die we uit de vorige agenda overnemen:

- een aantrekkelijk vestigingsklimaat met goede werklocaties;
- sterke krachtsectoren en een levendig kennis- en innovatie-ecosysteem;
- samenwerking in stad en regio, met een sterk organiserend vermogen.

De pijlers sluiten aan op de Asser Ambitie Agenda. In de volgende hoofdstukken werken we ze uit \
per thema.

# Ambities per thema

In dit hoofdstuk beschrijven we per thema wat we willen bereiken en wat we daarvoor gaan doen. \
De thema's komen uit de vorige agenda en uit de inputronde. Bij elk thema noemen we de \
belangrijkste inspanningen voor de komende jaren.

Niet alles kan tegelijk. Elk jaar kiezen we samen met partners waar we meer of minder op \
inzetten. Zo houden we ruimte voor nieuwe kansen. Voor grotere projecten doet het college een \
**apart voorstel** aan de gemeenteraad, met een onderbouwing van kosten en capaciteit. De \
energietransitie en digitalisering raken alle thema's. Die werken we uit in het volgende \
hoofdstuk.

## Werklocaties en verduurzaming

Ondernemers hebben goede en betaalbare plekken nodig om te werken. We willen dat bestaande \
bedrijventerreinen **toekomstbestendig** blijven en dat we nieuwe ruimte zorgvuldig inzetten. \
Wat gaan we doen:

- we zetten een **projectleider verduurzaming mkb** in, die ondernemers helpt met \
energiebesparing en zonne-energie;
- we stimuleren een aanpak per bedrijventerrein, in plaats van pand voor pand;
- we houden grond vrij voor bedrijven die passen bij onze krachtsectoren;
- we gaan leegstand in bedrijfspanden tegen.

Ons doel is dat in 2030 ten minste **150 mkb-bedrijven** een verduurzamingsadvies hebben \
gekregen en daar ook mee aan de slag zijn gegaan.

## Krachtsectoren

Assen is sterk in een aantal sectoren: zorg en gezondheid, veiligheid, sensortechnologie, \
maakindustrie en vrijetijdseconomie. Deze krachtsectoren zorgen voor veel banen en trekken \
nieuwe bedrijven aan. We willen werkgelegenheid in deze sectoren **behouden, laten groeien en \
aantrekken**. Daarvoor zetten we in op:

- regie op de krachtsectoren, met een vaste contactpersoon per sector;
- een **kwartiermaker gezondheidseconomie en biotech**, die nieuwe bedrijven en initiatieven \
helpt om in Assen te landen;
- het benutten van fondsen en subsidies van provincie, Rijk en Europa;
- samenwerking tussen bedrijven in dezelfde keten.

Logistiek en zakelijke dienstverlening zijn geen krachtsector, maar wel belangrijk voor de \
werkgelegenheid. Ook die bedrijven blijven we ondersteunen.

## Kennis- en innovatie-ecosysteem met onderwijs

Innovatie ontstaat waar bedrijven, onderwijs en onderzoek elkaar ontmoeten. Assen heeft daarvoor \
een goede basis, met mbo-onderwijs in de stad en hogescholen en universiteiten dichtbij in de \
regio. Belangrijke projecten zijn:

- de doorontwikkeling van de **TechHub** naar een Zorg- en Innovatiecluster;
- de realisatie van de **Veiligheidscampus**, met een lectoraat Weerbaarheid (European \
Resilience and Security), samen met de Universiteit van het Noorden;
- innovatieprojecten waarin studenten werken aan echte vragen van bedrijven.

We willen dat meer jongeren na hun opleiding in Assen blijven werken. Stages en \
praktijkopdrachten bij Asser bedrijven zijn daarvoor belangrijk.

## Arbeidsmarkt

Bijna alle werkgevers in Assen zoeken personeel. Tegelijk zijn er inwoners die graag willen \
werken, maar moeilijk een baan vinden. We willen dat vraag en aanbod beter op elkaar aansluiten. \
Daarom:

- werken we met het Werkplein en het onderwijs aan leerwerktrajecten in tekortberoepen;
- stimuleren we **leven lang ontwikkelen**, zodat werknemers kunnen meegroeien met hun vak;
- ondersteunen we sociaal ondernemers die werk bieden aan mensen met een afstand tot de \
arbeidsmarkt;
- zetten we Assen samen met werkgevers op de kaart als aantrekkelijke werkstad.

We letten erop dat niemand wordt uitgesloten. Gelijke kansen en eerlijke toegang tot werk staan \
voorop.

# Energietransitie en digitalisering

Twee ontwikkelingen raken alle thema's van deze agenda: de energietransitie en digitalisering. \
Ze bieden kansen, maar zorgen ook voor knelpunten. Een vol stroomnet remt de groei van \
bedrijven. En niet elke ondernemer of werknemer kan de snelle digitale veranderingen bijhouden.

In dit hoofdstuk staat wat de gemeente doet om deze knelpunten aan te pakken. Veel oplossingen \
liggen niet alleen bij de gemeente. De netbeheerder, de provincie, het Rijk en ondernemers zelf \
hebben ook een rol. Wij zien onze taak vooral als **verbinden, aanjagen en ruimte maken** voor \
nieuwe oplossingen.

## Energietransitie en netcongestie

Op meerdere bedrijventerreinen in Assen krijgen bedrijven geen nieuwe of zwaardere aansluiting \
op het stroomnet. Dat remt uitbreiding en verduurzaming. Samen met de netbeheerder en \
ondernemers zoeken we naar oplossingen:

- **energiehubs**, waarin bedrijven stroom opwekken, opslaan en onderling delen;
- slim gebruik van het net, bijvoorbeeld door piekmomenten te spreiden;
- opslag in batterijen op bedrijventerreinen;
- één loket waar ondernemers terechtkunnen met vragen over netcongestie.

De projectleider verduurzaming mkb werkt voor de helft aan dit thema. In 2026 starten we met \
**ten minste één pilot** voor een energiehub.

## Digitalisering

Digitalisering verandert hoe bedrijven werken, produceren en verkopen. Voor veel mkb-bedrijven \
is het lastig om bij te blijven. Denk aan cyberveiligheid, het gebruik van data en kunstmatige \
intelligentie. We willen dat ondernemers in Assen de kansen van digitalisering benutten en \
**digitaal weerbaar** zijn. Daarvoor:

- organiseren we met partners praktische bijeenkomsten over digitale veiligheid;
- verbinden we mkb-bedrijven met studenten en ICT-bedrijven uit de regio;
- sluiten we aan bij regionale programma's voor het mkb.

Digitalisering mag niet leiden tot uitsluiting. We letten op werknemers en inwoners die minder \
digitaal vaardig zijn.

# Uitvoering en financiën

De gemeente kan deze agenda niet alleen uitvoeren. We scheppen randvoorwaarden en maken dingen \
mede mogelijk. Dat doen we met activiteiten, samenwerking, verbinding en subsidies. Veel \
processen zijn gestart tijdens de vorige agenda en lopen door.

Een deel van de uitvoering gebeurt in de lijn, door medewerkers van de gemeente. Dat betalen we \
uit het bestaande formatiebudget. Voor extra inzet is aanvullend geld nodig. In dit hoofdstuk \
beschrijven we hoe we de uitvoering organiseren en welk budget we daarvoor ramen. We blijven \
wendbaar: als de situatie verandert, kunnen we geld tussen posten verschuiven of nieuwe \
activiteiten toevoegen.

## Organiserend vermogen

Samen bereik je meer dan alleen. Ondernemers, onderwijs en overheid moeten elkaar makkelijk \
kunnen vinden. Daarom versterken we het organiserend vermogen in de stad:

- we zetten de ondersteuning van **Stichting Ondernemend Assen** voort, voor toekomstbestendige \
bedrijventerreinen en andere projecten;
- accountmanagers van de gemeente voeren **relatiebeheer** en helpen ondernemers met vragen over \
vergunningen, subsidies en netwerken;
- we werken samen in Noord-Nederland, onder meer met de provincie en de andere Drentse gemeenten.

Twee keer per jaar organiseren we een overleg met ondernemersverenigingen en onderwijs over de \
voortgang van de agenda.

## Begroting 2026 en verder

Via de kaderbrief is voor 2026 een bedrag van **€ 725.000** opgenomen in de begroting. Dat \
bedrag verdelen we als volgt:

- versterken en verduurzamen van werklocaties: € 75.000 (de helft uit het budget voor \
energietransitie);
- versterken van de krachtsectoren: € 220.000;
- kennis- en innovatie-ecosysteem en onderwijs: € 150.000;
- organiserend vermogen: € 60.000;
- programmaorganisatie, dashboard en communicatie: € 220.000.

Voor 2027 tot en met 2030 is nog geen geld beschikbaar. Daarover beslissen het nieuwe college en \
de nieuwe gemeenteraad. Wij ramen voor die jaren ongeveer **€ 700.000 per jaar**. Cofinanciering \
door partners is welkom, maar niet zeker.

# Monitoring en bijsturing

Het meten van economische effecten is lastig. Veel resultaten worden pas na een aantal jaren \
zichtbaar. Toch willen we weten of we op koers liggen. Daarom:

- houden we elk jaar het **dashboard Economie** bij, met cijfers over banen, vestigingen, \
leegstand en opleidingsniveau;
- rapporteren we jaarlijks aan de gemeenteraad via de planning-en-controlcyclus;
- bespreken we de resultaten met partners en kiezen we samen waar we het jaar daarop meer of \
minder op inzetten.

In 2028 doen we een tussentijdse evaluatie. Als de economie of de wereld om ons heen sterk \
verandert, stellen we de agenda eerder bij.
"""

# The same concept after round 2: same headings in the same order, small changes in 3.1, 3.2,
# 4.1, 5.1 and 5.2, and one new sub-section (6.1) at the end.
DRAFT_V2_MD = """\
Dit is het **concept** van de Economische Agenda Assen 2026-2030. Het concept is gemaakt op \
basis van de inputronde, waarin ondernemers, onderwijs, overheden en maatschappelijke \
organisaties hun ideeën en zorgen hebben gedeeld. In deze tweede ronde vragen we u om het \
concept te lezen en per onderdeel te reageren. Wat kan beter, wat mist er en waar bent u het mee \
eens?

# Inleiding

Met deze Economische Agenda geeft de gemeente Assen richting aan het economisch beleid tot en \
met 2030. De agenda is het kader voor wat we de komende vijf jaar doen voor werk, bedrijvigheid \
en brede welvaart. Ze geeft ondernemers, onderwijs en andere overheden duidelijkheid, zodat zij \
met ons kunnen samenwerken en investeren.

De agenda draagt bij aan de drie ambities van de Asser Ambitie Agenda. Daarmee versterken we de \
centrumfunctie van Assen voor werken, vestigen, wonen en beleven. De uitvoering start op 1 \
januari 2026.

## Terugblik op de agenda 2020-2025

In juni 2020 stelde de gemeenteraad de Economische Agenda 2020-2025 vast. Daarmee had Assen weer \
een actueel kompas voor de economie. De visie en ambities van die agenda liepen al tot en met \
2030. Halverwege hebben we teruggekeken op de resultaten van de afgelopen vijf jaar. Enkele \
voorbeelden:

- de TechHub is een vaste ontmoetingsplek geworden voor bedrijven, studenten en onderzoekers;
- Stichting Ondernemend Assen werkt op meerdere bedrijventerreinen aan parkmanagement;
- het dashboard Economie geeft elk jaar inzicht in banen, vestigingen en leegstand.

Partners gaven aan dat de koers nog steeds klopt. Er zijn **geen grote wijzigingen nodig**. Wel \
maken we een aantal inspanningen scherper en concreter.

## Wat is er veranderd

De economische en maatschappelijke situatie is sinds 2020 flink veranderd. Nieuwe vormen van \
schaarste vragen om een andere focus:

- **Arbeidsmarkt**: in bijna alle sectoren zijn te weinig mensen, vooral in techniek, zorg en \
logistiek.
- **Netcongestie**: het stroomnet zit vol, waardoor bedrijven niet altijd kunnen uitbreiden of \
verduurzamen.
- **Ruimte**: er is weinig vrije grond voor nieuwe en groeiende bedrijven.
- **Digitalisering**: nieuwe technologie, zoals kunstmatige intelligentie, verandert het werk \
snel.

Daarnaast zorgen geopolitieke spanningen en een wisselende economie voor onzekerheid. Daarom \
kiezen we voor een agenda die richting geeft, maar ruimte laat om elk jaar bij te sturen.

# Visie en strategische pijlers

Onze visie blijft: Assen is in 2030 een **sterke centrumstad in Noord-Nederland**, waar het goed \
werken, ondernemen en leven is. Economische groei is voor ons geen doel op zich. Het gaat om \
brede welvaart: werk voor iedereen, een gezonde leefomgeving en gelijke kansen.

De agenda rust op drie strategische pijlers, die we uit de vorige agenda overnemen:

- een aantrekkelijk vestigingsklimaat met goede werklocaties;
- sterke krachtsectoren en een levendig kennis- en innovatie-ecosysteem;
- samenwerking in stad en regio, met een sterk organiserend vermogen.

De pijlers sluiten aan op de Asser Ambitie Agenda. In de volgende hoofdstukken werken we ze uit \
per thema.

# Ambities per thema

In dit hoofdstuk beschrijven we per thema wat we willen bereiken en wat we daarvoor gaan doen. \
De thema's komen uit de vorige agenda en uit de inputronde. Bij elk thema noemen we de \
belangrijkste inspanningen voor de komende jaren.

Niet alles kan tegelijk. Elk jaar kiezen we samen met partners waar we meer of minder op \
inzetten. Zo houden we ruimte voor nieuwe kansen. Voor grotere projecten doet het college een \
**apart voorstel** aan de gemeenteraad, met een onderbouwing van kosten en capaciteit. De \
energietransitie en digitalisering raken alle thema's. Die werken we uit in het volgende \
hoofdstuk.

## Werklocaties en verduurzaming

Ondernemers hebben goede en betaalbare plekken nodig om te werken. We willen dat bestaande \
bedrijventerreinen **toekomstbestendig** blijven en dat we nieuwe ruimte zorgvuldig inzetten. \
Wat gaan we doen:

- we zetten een **projectleider verduurzaming mkb** in, die ondernemers helpt met \
energiebesparing en zonne-energie;
- we stimuleren een aanpak per bedrijventerrein, in plaats van pand voor pand;
- we houden grond vrij voor bedrijven die passen bij onze krachtsectoren;
- we gaan leegstand in bedrijfspanden tegen.

Ons doel is dat in 2030 ten minste **200 mkb-bedrijven** een verduurzamingsadvies hebben \
gekregen en daar ook mee aan de slag zijn gegaan.

## Krachtsectoren

Assen is sterk in een aantal sectoren: zorg en gezondheid, veiligheid, sensortechnologie, \
maakindustrie en vrijetijdseconomie. Deze krachtsectoren zorgen voor veel banen en trekken \
nieuwe bedrijven aan. We willen werkgelegenheid in deze sectoren **behouden, laten groeien en \
aantrekken**. Daarvoor zetten we in op:

- regie op de krachtsectoren, met een vaste contactpersoon per sector;
- een **kwartiermaker gezondheidseconomie en biotech**, die nieuwe bedrijven en initiatieven \
helpt om in Assen te landen;
- het benutten van fondsen en subsidies van provincie, Rijk en Europa;
- samenwerking tussen bedrijven in dezelfde keten.

Logistiek en zakelijke dienstverlening zijn geen krachtsector, maar wel belangrijk voor de \
werkgelegenheid. Ook die bedrijven blijven we ondersteunen. In 2026 onderzoeken we samen met de \
provincie of logistiek als krachtsector wordt toegevoegd, in samenhang met de maakindustrie.

## Kennis- en innovatie-ecosysteem met onderwijs

Innovatie ontstaat waar bedrijven, onderwijs en onderzoek elkaar ontmoeten. Assen heeft daarvoor \
een goede basis, met mbo-onderwijs in de stad en hogescholen en universiteiten dichtbij in de \
regio. Belangrijke projecten zijn:

- de doorontwikkeling van de **TechHub** naar een Zorg- en Innovatiecluster;
- de realisatie van de **Veiligheidscampus**, met een lectoraat Weerbaarheid (European \
Resilience and Security), samen met de Universiteit van het Noorden;
- innovatieprojecten waarin studenten werken aan echte vragen van bedrijven.

We willen dat meer jongeren na hun opleiding in Assen blijven werken. Stages en \
praktijkopdrachten bij Asser bedrijven zijn daarvoor belangrijk.

## Arbeidsmarkt

Bijna alle werkgevers in Assen zoeken personeel. Tegelijk zijn er inwoners die graag willen \
werken, maar moeilijk een baan vinden. We willen dat vraag en aanbod beter op elkaar aansluiten. \
Daarom:

- werken we met het Werkplein en het onderwijs aan leerwerktrajecten in tekortberoepen;
- stimuleren we **leven lang ontwikkelen**, zodat werknemers kunnen meegroeien met hun vak;
- ondersteunen we sociaal ondernemers die werk bieden aan mensen met een afstand tot de \
arbeidsmarkt;
- zetten we Assen samen met werkgevers op de kaart als aantrekkelijke werkstad.

We letten erop dat niemand wordt uitgesloten. Gelijke kansen en eerlijke toegang tot werk staan \
voorop.

# Energietransitie en digitalisering

Twee ontwikkelingen raken alle thema's van deze agenda: de energietransitie en digitalisering. \
Ze bieden kansen, maar zorgen ook voor knelpunten. Een vol stroomnet remt de groei van \
bedrijven. En niet elke ondernemer of werknemer kan de snelle digitale veranderingen bijhouden.

In dit hoofdstuk staat wat de gemeente doet om deze knelpunten aan te pakken. Veel oplossingen \
liggen niet alleen bij de gemeente. De netbeheerder, de provincie, het Rijk en ondernemers zelf \
hebben ook een rol. Wij zien onze taak vooral als **verbinden, aanjagen en ruimte maken** voor \
nieuwe oplossingen.

## Energietransitie en netcongestie

Op meerdere bedrijventerreinen in Assen krijgen bedrijven geen nieuwe of zwaardere aansluiting \
op het stroomnet. Dat remt uitbreiding en verduurzaming. Samen met de netbeheerder en \
ondernemers zoeken we naar oplossingen:

- **energiehubs**, waarin bedrijven stroom opwekken, opslaan en onderling delen;
- slim gebruik van het net, bijvoorbeeld door piekmomenten te spreiden;
- opslag in batterijen op bedrijventerreinen;
- één loket waar ondernemers terechtkunnen met vragen over netcongestie.

De projectleider verduurzaming mkb werkt voor de helft aan dit thema. In 2026 starten we met \
**twee pilots** voor een energiehub, op bedrijventerreinen waar ondernemers al samenwerken.

## Digitalisering

Digitalisering verandert hoe bedrijven werken, produceren en verkopen. Voor veel mkb-bedrijven \
is het lastig om bij te blijven. Denk aan cyberveiligheid, het gebruik van data en kunstmatige \
intelligentie. We willen dat ondernemers in Assen de kansen van digitalisering benutten en \
**digitaal weerbaar** zijn. Daarvoor:

- organiseren we met partners praktische bijeenkomsten over digitale veiligheid;
- verbinden we mkb-bedrijven met studenten en ICT-bedrijven uit de regio;
- sluiten we aan bij regionale programma's voor het mkb.

Digitalisering mag niet leiden tot uitsluiting. We letten op werknemers en inwoners die minder \
digitaal vaardig zijn.

# Uitvoering en financiën

De gemeente kan deze agenda niet alleen uitvoeren. We scheppen randvoorwaarden en maken dingen \
mede mogelijk. Dat doen we met activiteiten, samenwerking, verbinding en subsidies. Veel \
processen zijn gestart tijdens de vorige agenda en lopen door.

Een deel van de uitvoering gebeurt in de lijn, door medewerkers van de gemeente. Dat betalen we \
uit het bestaande formatiebudget. Voor extra inzet is aanvullend geld nodig. In dit hoofdstuk \
beschrijven we hoe we de uitvoering organiseren en welk budget we daarvoor ramen. We blijven \
wendbaar: als de situatie verandert, kunnen we geld tussen posten verschuiven of nieuwe \
activiteiten toevoegen.

## Organiserend vermogen

Samen bereik je meer dan alleen. Ondernemers, onderwijs en overheid moeten elkaar makkelijk \
kunnen vinden. Daarom versterken we het organiserend vermogen in de stad:

- we zetten de ondersteuning van **Stichting Ondernemend Assen** voort, voor toekomstbestendige \
bedrijventerreinen en andere projecten;
- accountmanagers van de gemeente voeren **relatiebeheer** en helpen ondernemers met vragen over \
vergunningen, subsidies en netwerken;
- we werken samen in Noord-Nederland, onder meer met de provincie en de andere Drentse gemeenten.

Twee keer per jaar organiseren we een overleg met ondernemersverenigingen en onderwijs over de \
voortgang van de agenda. Ook onderzoeken we in 2026 of elk bedrijventerrein een vast \
aanspreekpunt bij de gemeente kan krijgen.

## Begroting 2026 en verder

Via de kaderbrief is voor 2026 een bedrag van **€ 725.000** opgenomen in de begroting. Dat \
bedrag verdelen we als volgt:

- versterken en verduurzamen van werklocaties: € 75.000 (de helft uit het budget voor \
energietransitie);
- versterken van de krachtsectoren: € 220.000;
- kennis- en innovatie-ecosysteem en onderwijs: € 150.000;
- organiserend vermogen: € 75.000;
- programmaorganisatie, dashboard en communicatie: € 205.000.

Voor 2027 tot en met 2030 is nog geen geld beschikbaar. Daarover beslissen het nieuwe college en \
de nieuwe gemeenteraad. Wij ramen voor die jaren ongeveer **€ 700.000 per jaar**. Cofinanciering \
door partners is welkom, maar niet zeker.

# Monitoring en bijsturing

Het meten van economische effecten is lastig. Veel resultaten worden pas na een aantal jaren \
zichtbaar. Toch willen we weten of we op koers liggen. Daarom:

- houden we elk jaar het **dashboard Economie** bij, met cijfers over banen, vestigingen, \
leegstand en opleidingsniveau;
- rapporteren we jaarlijks aan de gemeenteraad via de planning-en-controlcyclus;
- bespreken we de resultaten met partners en kiezen we samen waar we het jaar daarop meer of \
minder op inzetten.

In 2028 doen we een tussentijdse evaluatie. Als de economie of de wereld om ons heen sterk \
verandert, stellen we de agenda eerder bij.

## Terugkoppeling aan partners

In de tweede participatieronde vroegen partners om te laten zien wat er met hun inbreng gebeurt. \
Dat nemen we over. Alle reacties op het concept en ons antwoord daarop staan in het \
**participatiedocument**. Dat gaat als bijlage mee met het raadsvoorstel.

Ook tijdens de uitvoering houden we partners op de hoogte:

- elk voorjaar delen we de cijfers uit het dashboard Economie met alle betrokken organisaties;
- in het overleg met ondernemersverenigingen en onderwijs bespreken we welke keuzes we voor het \
volgende jaar maken;
- bij de tussentijdse evaluatie in 2028 vragen we partners opnieuw om mee te denken.

Zo blijft de agenda een gezamenlijke agenda, en niet alleen een plan van de gemeente.
"""

# (key, section_number, parent_key_or_None, organisation_name_or_None, body_md); None = a resident.
DEMO_COMMENTS = [
    (
        "c1", "3.2", None, "Van der Veen Logistiek",
        """\
Wij missen **logistiek** als krachtsector. In de tekst staat dat logistiek belangrijk is voor de \
werkgelegenheid, maar daar blijft het bij. Alleen al op onze terreinen werken honderden mensen, \
dicht bij de A28. Als logistiek geen krachtsector is, krijgen we ook geen prioriteit bij ruimte \
en netcapaciteit. Wij vragen de gemeente om logistiek op te nemen, of in elk geval uit te leggen \
waarom niet.
""",
    ),
    (
        "c2", "3.2", "c1", "Bedrijvenkring Assen",
        """\
Dit herkennen wij. Een groot deel van onze leden is logistiek bedrijf of is er sterk van \
afhankelijk. Zonder goede logistiek komen producten van de maakindustrie en de zorg ook niet op \
hun plek. Wij steunen de vraag om logistiek een duidelijkere plek te geven in de agenda.
""",
    ),
    (
        "c3", "3.2", "c2", "Precisietechniek Peelo",
        """\
Eens dat logistiek belangrijk is, wij zijn er zelf elke dag van afhankelijk. Toch een \
kanttekening: als elke sector een krachtsector wordt, is er straks geen focus meer. Misschien is \
het beter om logistiek te koppelen aan de **keten van de maakindustrie**, in plaats van er een \
losse krachtsector van te maken.
""",
    ),
    (
        "c4", "3.2", "c3", "Van der Veen Logistiek",
        """\
Dat is een goed punt. Het gaat ons niet om het label of om extra subsidie. Het gaat om erkenning \
bij keuzes over **ruimte en stroom**. Als de gemeente logistiek meeneemt als onderdeel van de \
maakketen, en dat ook zo toepast bij de uitgifte van kavels en netcapaciteit, dan zijn wij \
tevreden.
""",
    ),
    (
        "c5", "3.2", "c4", "Provincie Drenthe",
        """\
Vanuit de provincie werken we aan een regionale aanpak voor logistiek en maakindustrie langs de \
A28. Een koppeling in de Asser agenda past daar goed bij. Wij bieden aan om in 2026 samen te \
verkennen hoe logistiek een plek krijgt, zodat gemeente en provincie dezelfde keuzes maken.
""",
    ),
    (
        "c6", "3.2", None, "Drentse Zorgtechniek",
        """\
Goed dat er een **kwartiermaker gezondheidseconomie en biotech** komt. Wel een vraag: richt deze \
persoon zich alleen op nieuwe bedrijven? Bestaande zorgtechbedrijven in Assen willen ook \
groeien, maar lopen aan tegen testlocaties en financiering. Wij vragen om de taak breder te \
omschrijven, zodat ook gevestigde bedrijven er baat bij hebben.
""",
    ),
    (
        "c7", "3.1", None, "Stichting Ondernemend Assen",
        """\
Wij zijn blij met de **aanpak per bedrijventerrein**. Dat werkt beter dan pand voor pand, zo \
zien we op Messchenveld. Het doel van 150 mkb-bedrijven vinden we wel voorzichtig. Met een goede \
collectieve aanpak moeten **200 bedrijven** haalbaar zijn. Wij denken graag mee over een plan \
per terrein.
""",
    ),
    (
        "c8", "3.1", "c7", "Installatiebedrijf Brink & Zonen",
        """\
Meer bedrijven verduurzamen is mooi, maar wie gaat het werk doen? Installateurs in de regio \
zitten nu al vol tot ver in het volgende jaar. Als er straks 200 adviezen liggen, moeten die ook \
uitgevoerd worden. Betrek de installatiebranche daarom vroeg bij de planning, anders blijven de \
adviezen in de la liggen.
""",
    ),
    (
        "c9", "3.1", "c8", "Drenthe College",
        """\
Dit raakt direct aan ons onderwijs. Wij willen meer studenten opleiden in \
**installatietechniek**, vooral via de beroepsbegeleidende leerweg (bbl). Daarvoor hebben we \
leerbedrijven nodig die studenten een werkplek en begeleiding bieden. Misschien kan de \
verduurzaming van bedrijventerreinen een praktijkproject worden voor onze studenten.
""",
    ),
    (
        "c10", "3.1", "c9", "Installatiebedrijf Brink & Zonen",
        """\
Daar staan wij voor open. We kunnen volgend jaar **drie extra bbl-studenten** plaatsen. De \
begeleiding kost wel veel tijd van onze monteurs. Als de gemeente of het onderwijs kan helpen \
met een praktijkbegeleider die meerdere kleine bedrijven bedient, doen meer installateurs mee.
""",
    ),
    (
        "c11", "3.1", None, None,
        """\
Ik woon in het centrum van Assen en zie steeds meer lege winkels. In dit stuk lees ik vooral \
over bedrijventerreinen. Hoort de **binnenstad** niet ook bij de werklocaties? Ik zou graag zien \
dat de gemeente ook iets doet tegen leegstand in de winkelstraten, bijvoorbeeld door ruimte te \
geven aan kleine ambachtelijke bedrijven.
""",
    ),
    (
        "c12", "3.3", None, "Hanzehogeschool Groningen",
        """\
Wij steunen de **Veiligheidscampus** en het lectoraat Weerbaarheid. Een lectoraat heeft wel tijd \
nodig: het eerste onderzoek levert pas na een paar jaar echte resultaten op. Wij vragen daarom \
om een afspraak voor **minstens vier jaar**, en niet alleen voor 2026. Dan kunnen we ook \
promovendi en studenten aan het onderzoek verbinden.
""",
    ),
    (
        "c13", "3.3", None, "TechHub Assen",
        """\
De doorontwikkeling naar een **Zorg- en Innovatiecluster** is een logische stap. Toch maken wij \
ons een beetje zorgen. Nu komen er bij de TechHub ook veel maakbedrijven en ICT-bedrijven. Als \
de naam en de focus alleen nog zorg zijn, haken zij misschien af. Wij stellen voor om het \
cluster open te houden voor alle sectoren die aan zorg en veiligheid bijdragen.
""",
    ),
    (
        "c14", "3.3", "c13", "Drentse Zorgtechniek",
        """\
Wij herkennen beide kanten. Voor ons als zorgtechbedrijf is een cluster met focus juist \
waardevol. Wat we vooral missen, is een **testomgeving** waar we nieuwe producten met echte \
zorgprofessionals kunnen uitproberen. Als het cluster dat kan bieden, is het ook voor \
maakbedrijven en ICT-bedrijven aantrekkelijk om mee te doen.
""",
    ),
    (
        "c15", "3.3", "c12", "Drenthe College",
        """\
Een goede vraag van de hogeschool. Wij willen daaraan toevoegen: vergeet het **mbo** niet. In de \
tekst staan vooral hbo en wo genoemd bij de grote projecten. Onze studenten in beveiliging, zorg \
en techniek kunnen ook meedoen aan de Veiligheidscampus. Noem het mbo daarom expliciet als \
partner.
""",
    ),
    (
        "c16", "3.4", None, "Werkplein Drentsche Aa",
        """\
Wij zijn blij met de inzet op **leerwerktrajecten**. Wat we missen, is een concreet doel. \
Hoeveel mensen willen we de komende jaren aan werk helpen? Ook vragen wij werkgevers om open te \
staan voor het aanpassen van functies, zodat mensen met een afstand tot de arbeidsmarkt een deel \
van het werk kunnen doen. Wij helpen daar graag bij.
""",
    ),
    (
        "c17", "3.4", None, "Bedrijvenkring Assen",
        """\
In dit onderdeel missen wij het thema **wonen**. Onze leden vinden kandidaten, maar die vinden \
vaak geen woning in Assen. Dan gaat de baan alsnog niet door. Wij vragen de gemeente om \
arbeidsmarkt en woningbouw samen te bekijken, bijvoorbeeld met woningen voor starters en jonge \
vakmensen.
""",
    ),
    (
        "c18", "3.4", "c17", None,
        """\
Dit is precies mijn situatie. Ik werk sinds vorig jaar als verpleegkundige in Assen, maar woon \
nog in Groningen omdat ik hier geen betaalbare huurwoning kan vinden. Ik reis elke dag heen en \
weer. Als dat zo blijft, ga ik waarschijnlijk toch in Groningen werken. Het zou helpen als er \
woningen komen voor mensen met een baan in de zorg.
""",
    ),
    (
        "c19", "4.1", None, "Installatiebedrijf Brink & Zonen",
        """\
Eén pilot voor een energiehub in 2026 vinden wij te weinig. Het probleem speelt op bijna alle \
terreinen en bedrijven wachten al jaren. Verder vragen wij om het loket voor netcongestie niet \
alleen voor informatie te gebruiken. Ondernemers hebben vooral **technisch advies** nodig: wat \
kan ik nu al doen met mijn aansluiting?
""",
    ),
    (
        "c20", "4.1", "c19", "Stichting Ondernemend Assen",
        """\
Eens. Op twee bedrijventerreinen zijn ondernemers al bezig met de voorbereiding van een \
energiehub. Zij willen graag pilot zijn. Wat daar vooral ontbreekt, is hulp bij de **juridische \
en financiële vragen**: wie is eigenaar van de batterij, en hoe verdeel je de kosten? Daar kan \
de projectleider een grote rol spelen.
""",
    ),
    (
        "c21", "4.1", None, "Provincie Drenthe",
        """\
De provincie heeft een programma voor netcongestie, met subsidie voor onderzoek naar energiehubs \
en een regionale taskforce met de netbeheerder. Wij raden aan om de Asser pilots daar direct op \
aan te sluiten. Zo voorkomen we dubbel werk en kunnen ondernemers gebruikmaken van **provinciale \
middelen**.
""",
    ),
    (
        "c22", "4.2", None, "Codekamer ICT",
        """\
Bijeenkomsten over digitale veiligheid zijn nuttig, maar vaak te vrijblijvend. Wie komt, is \
meestal al bezig. Wij stellen een **digitale scan** voor, bijvoorbeeld met een voucher van de \
gemeente, waarmee een mkb-bedrijf samen met een ICT-bedrijf uit de regio kijkt waar de risico's \
en kansen zitten. Dan krijgt een ondernemer direct concrete stappen.
""",
    ),
    (
        "c23", "4.2", "c22", "Precisietechniek Peelo",
        """\
Als klein maakbedrijf zouden wij zo'n scan zeker gebruiken. Maar een scan alleen is niet genoeg. \
Na een eerdere scan lag er een mooi rapport, en toen hadden we niemand om het uit te voeren. \
Zorg dat er na de scan ook **begeleiding** is, bijvoorbeeld door studenten of een vaste \
adviseur.
""",
    ),
    (
        "c24", "5.2", None, "Bedrijvenkring Assen",
        """\
Wij schrikken een beetje van de verdeling. Er gaat **€ 220.000** naar programmaorganisatie, \
dashboard en communicatie. Dat is net zoveel als naar de krachtsectoren. Voor organiserend \
vermogen is maar € 60.000 beschikbaar. Wij vragen de gemeente om meer geld naar de uitvoering \
met ondernemers te laten gaan en minder naar de eigen organisatie.
""",
    ),
    (
        "c25", "5.2", "c24", "Stichting Ondernemend Assen",
        """\
Dat onderschrijven wij. Met € 60.000 kunnen we parkmanagement op één of twee terreinen goed \
ondersteunen, maar niet op alle terreinen. Een kleine verschuiving, bijvoorbeeld **€ 15.000** \
van programmaorganisatie naar organiserend vermogen, maakt voor ons al een groot verschil.
""",
    ),
    (
        "c26", "5.2", None, "Provincie Drenthe",
        """\
Wij begrijpen dat het geld voor 2027-2030 nog niet vastligt. Voor cofinanciering door de \
provincie is een **meerjarige toezegging** van de gemeente wel belangrijk. Wij vragen om in de \
agenda aan te geven welke projecten in elk geval doorlopen, ook als het budget na 2026 lager \
uitvalt.
""",
    ),
    (
        "c27", "6", None, "Hanzehogeschool Groningen",
        """\
Goed dat het dashboard Economie jaarlijks wordt bijgehouden. Wij raden aan om ook cijfers over \
**brede welvaart** op te nemen, zoals gezondheid, onderwijs en tevredenheid met de woonomgeving. \
Onze studenten kunnen helpen bij het verzamelen en analyseren van die gegevens, bijvoorbeeld als \
afstudeeropdracht.
""",
    ),
    (
        "c28", "5.1", None, "Bedrijvenkring Assen",
        """\
Twee keer per jaar overleg is een goede stap. Wat ondernemers vooral vragen, is **één vast \
aanspreekpunt** per bedrijventerrein. Nu weten veel ondernemers niet bij wie ze moeten zijn met \
een vraag over een vergunning of subsidie. Een vaste accountmanager die de bedrijven kent, \
voorkomt veel frustratie.
""",
    ),
    (
        "c29", "5.1", "c28", "Codekamer ICT",
        """\
Wij wisten als klein bedrijf niet eens dat de gemeente accountmanagers heeft. Maak ze beter \
zichtbaar, bijvoorbeeld met een overzicht op de website met namen en terreinen. Dan hoeven \
ondernemers niet eerst het algemene nummer te bellen.
""",
    ),
]

# Replies by the project team (the municipality): (key, section_number, parent_key, body_md).
TEAM_REPLIES = [
    (
        "t1", "3.2", "c1",
        """\
Dank voor deze reactie en de discussie die erop volgde. We nemen het voorstel mee. In de \
definitieve agenda staat dat we in 2026 **samen met de provincie** onderzoeken of logistiek als \
krachtsector wordt toegevoegd, in samenhang met de maakindustrie. De uitkomst bespreken we in \
het overleg met ondernemers.
""",
    ),
    (
        "t2", "4.1", "c20",
        """\
Dank voor dit aanbod. We passen de agenda aan: in 2026 starten we met **twee pilots** voor een \
energiehub, op terreinen waar ondernemers al samenwerken. De projectleider verduurzaming mkb \
gaat ook helpen met de juridische en financiële vragen. We nemen binnenkort contact met u op om \
de pilots voor te bereiden.
""",
    ),
]
