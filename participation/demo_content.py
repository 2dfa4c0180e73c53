"""Dutch demo texts for the participation site: the Economische Agenda Assen 2026-2030 and a
small second process. Plain data only; the organisations, people and e-mail addresses are
fictional (public institutions are named only generically)."""
from __future__ import annotations

ASSEN_PROCESS = {
    "slug": "economische-agenda-2026-2030",
    "title": "Economische Agenda Assen 2026-2030",
    "summary": (
        "Denk mee over de economie van Assen tot 2030. Geef in twee rondes uw input en feedback "
        "op de nieuwe Economische Agenda: eerst op zeven thema's, daarna op het concept."
    ),
    "intro_md": """\
De gemeente Assen maakt een nieuwe **Economische Agenda 2026-2030**. Daarin staat hoe we de \
komende vijf jaar werken aan werk, bedrijvigheid en brede welvaart in onze stad. De vorige agenda \
liep tot en met 2025. De koers blijft grotendeels hetzelfde, maar er is ook veel veranderd: \
denk aan krapte op de arbeidsmarkt, een vol stroomnet en digitalisering.

Wij maken deze agenda niet alleen. Ondernemers, onderwijs, overheden en maatschappelijke \
organisaties weten vaak het beste wat er speelt. Daarom vragen we u mee te denken. Dat gaat in \
twee rondes:

- **Inputronde.** U geeft ideeën, zorgen en kansen op zeven thema's, van werklocaties tot \
digitalisering. U kunt ook reageren op de input van anderen.
- **Feedbackronde.** Wij verwerken alle input in een concept van de agenda. Daarna vragen we u \
om het concept te lezen en te zeggen wat beter of scherper kan. Ook als u in de eerste ronde niet \
kon meedoen, bent u welkom.

Wat gebeurt er met uw bijdrage? Wij lezen alles en geven per thema aan wat we ermee hebben \
gedaan. Alle input en onze reactie komen in een **participatiedocument**. Dat document gaat als \
bijlage mee met het raadsvoorstel. Zo kan de gemeenteraad zien wat partners in stad en regio \
hebben ingebracht.

Heeft u een vraag of wilt u liever op een andere manier reageren, bijvoorbeeld per e-mail of in \
een gesprek? Neem dan contact op met het projectteam.
""",
    "contact": "Projectteam Economische Agenda, gemeente Assen - economie@assen.example",
}

ASSEN_THEMES = [
    (
        "Werklocaties en verduurzaming",
        "Hoe zorgen we voor genoeg goede plekken om te werken, en hoe maken we bedrijventerreinen "
        "en bedrijfspanden duurzamer en toekomstbestendig?",
    ),
    (
        "Krachtsectoren",
        "Assen is sterk in onder meer zorg, veiligheid, sensortechnologie, maakindustrie en "
        "vrijetijdseconomie. Wat is nodig om werk in deze sectoren te behouden en te laten groeien?",
    ),
    (
        "Kennis- en innovatie-ecosysteem met onderwijs",
        "Hoe werken bedrijven, mbo, hbo en wo beter samen aan innovatie, bijvoorbeeld via de "
        "TechHub, een zorg- en innovatiecluster en de Veiligheidscampus?",
    ),
    (
        "Organiserend vermogen",
        "Samen bereik je meer. Hoe organiseren ondernemers, gemeente en partners zich slimmer, "
        "bijvoorbeeld op bedrijventerreinen, in netwerken en in de regio Noord-Nederland?",
    ),
    (
        "Arbeidsmarkt",
        "Veel werkgevers vinden moeilijk personeel. Hoe zorgen we dat vraag en aanbod beter "
        "aansluiten en dat iedereen die kan werken een kans krijgt?",
    ),
    (
        "Energietransitie en netcongestie",
        "Het stroomnet zit vol en bedrijven willen verduurzamen. Welke oplossingen ziet u, zoals "
        "energiehubs, slim delen van stroom of opslag?",
    ),
    (
        "Digitalisering",
        "Digitale techniek verandert hoe we werken. Wat hebben ondernemers en werknemers nodig om "
        "mee te komen, en hoe voorkomen we dat mensen buiten de boot vallen?",
    ),
]

ORGANISATIONS = [
    ("Bedrijvenkring Assen", "civil_society", "ondernemersvereniging"),
    ("Stichting Ondernemend Assen", "civil_society", "bedrijventerreinen"),
    ("Van der Veen Logistiek", "business", "logistiek"),
    ("Drentse Zorgtechniek", "business", "zorgtechnologie"),
    ("Installatiebedrijf Brink & Zonen", "business", "installatietechniek"),
    ("Codekamer ICT", "business", "ict"),
    ("Precisietechniek Peelo", "business", "maakindustrie"),
    ("Drenthe College", "education", "mbo-onderwijs"),
    ("Hanzehogeschool Groningen", "education", "hoger onderwijs"),
    ("Provincie Drenthe", "government", "provinciale overheid"),
    ("Werkplein Drentsche Aa", "government", "werk en inkomen"),
    ("TechHub Assen", "other", "innovatie"),
]

CONTRIBUTIONS = [
    (
        "Bedrijvenkring Assen",
        3,
        "Eén vast aanspreekpunt bij de gemeente voor ondernemers",
        """\
Onze leden zijn positief over het contact met de gemeente. Toch horen we vaak dat ondernemers \
niet weten bij wie ze moeten zijn. Een vraag over een vergunning, een subsidie en bereikbaarheid \
gaat nu naar drie verschillende afdelingen.

Wij pleiten voor **één vast aanspreekpunt per bedrijventerrein of sector**. Een accountmanager \
die de bedrijven kent en de vraag binnen de gemeente verder helpt. Zo voorkom je dat ondernemers \
afhaken.

Daarnaast vragen we de gemeente om de agenda samen met ons uit te voeren, niet alleen op te \
schrijven. Wij bieden aan om twee keer per jaar een ronde tafel te organiseren waarin we de \
voortgang bespreken. Dan zien ondernemers ook wat er met hun input gebeurt.
""",
    ),
    (
        "Bedrijvenkring Assen",
        4,
        "Personeel vinden lukt niet zonder betaalbare woningen",
        """\
Bijna alle leden van de Bedrijvenkring zoeken mensen. Vooral technici, chauffeurs en \
zorgmedewerkers. Wat we steeds vaker horen: een kandidaat wil wel in Assen werken, maar vindt \
hier geen woning.

Daarom vragen wij de gemeente om arbeidsmarkt en wonen samen te bekijken. Denk aan:

- woningen voor starters en jonge vakmensen die net klaar zijn met hun opleiding;
- tijdelijke huisvesting voor mensen die van buiten de regio komen;
- afspraken met corporaties over voorrang voor mensen met een baan in een tekortberoep.

Verder willen wij graag meedoen aan een gezamenlijke campagne om Assen als werkstad op de kaart \
te zetten. Veel mensen in Groningen weten niet hoe dichtbij en aantrekkelijk Assen is.
""",
    ),
    (
        "Stichting Ondernemend Assen",
        0,
        "Bedrijventerreinen samen verduurzamen, niet pand voor pand",
        """\
Als stichting werken wij aan **toekomstbestendige bedrijventerreinen**. We zien dat veel \
ondernemers willen verduurzamen, maar dat ze het alleen niet voor elkaar krijgen. Een klein \
bedrijf heeft geen tijd om uit te zoeken welke maatregel het beste past.

Een aanpak per terrein werkt beter. Bijvoorbeeld: één energiescan voor alle panden, samen \
zonnepanelen inkopen, en groen en waterberging in de openbare ruimte samen regelen. Op \
bedrijventerrein Messchenveld zijn we hier al mee begonnen, met goede reacties.

Wij vragen de gemeente om deze aanpak uit te breiden naar andere terreinen. Een projectleider \
verduurzaming mkb, zoals in het voorstel staat, kan daarbij helpen. Belangrijk is wel dat die \
persoon echt op de terreinen aanwezig is en niet alleen op het stadhuis.
""",
    ),
    (
        "Stichting Ondernemend Assen",
        3,
        "Parkmanagement heeft een stevige basis nodig",
        """\
Parkmanagement draait nu voor een groot deel op vrijwilligers en een kleine bijdrage van de \
gemeente. Dat maakt het kwetsbaar. Als een actieve ondernemer stopt, valt een project soms stil.

Wij zien twee mogelijkheden om dit steviger te maken:

1. Een **bedrijveninvesteringszone (BIZ)** per terrein, zodat alle bedrijven een klein bedrag \
bijdragen en iedereen meeprofiteert.
2. Een meerjarige afspraak met de gemeente over ondersteuning, in plaats van steeds per jaar.

Met een stevige basis kunnen we meer doen aan veiligheid, beveiliging, onderhoud en \
energie. Ondernemers hebben ons laten weten dat ze daar best aan willen bijdragen, als ze zien \
dat het resultaat oplevert.
""",
    ),
    (
        "Van der Veen Logistiek",
        5,
        "Zonder extra stroom geen elektrische vrachtwagens",
        """\
Wij hebben 40 vrachtwagens en willen de komende jaren overstappen op elektrisch. Onze klanten \
vragen erom en het is beter voor de stad. Maar we lopen vast: de netbeheerder kan ons pas over \
een aantal jaar een zwaardere aansluiting geven.

Eén elektrische truck 's nachts opladen vraagt al veel vermogen. Voor het hele wagenpark is het \
nu onmogelijk. Wat zou helpen:

- een **energiehub** op ons bedrijventerrein, waarin bedrijven stroom onderling delen;
- ruimte voor batterijopslag en een eigen zonnedak dat we beter kunnen benutten;
- een laadplein voor vrachtwagens dat meerdere vervoerders samen gebruiken.

Wij willen graag meedoen aan een proef. We vragen de gemeente om het gesprek met de \
netbeheerder en andere bedrijven te organiseren. Alleen lukt het ons niet.
""",
    ),
    (
        "Van der Veen Logistiek",
        0,
        "Ruimte om te groeien dicht bij de A28",
        """\
Ons bedrijf groeit, maar ons huidige terrein is te klein. We zoeken al twee jaar naar een \
grotere kavel, het liefst dicht bij de A28. Die is er nauwelijks.

Wij begrijpen dat ruimte schaars is en dat niet elke loods welkom is. Toch vragen we de gemeente \
om bij de planning van werklocaties ook **ruimte voor bestaande bedrijven** te houden. Als wij \
vertrekken naar een andere regio, gaan ook 80 banen mee.

Wij zijn bereid om compact en duurzaam te bouwen, bijvoorbeeld in twee lagen en met een groen \
dak. Ook denken we mee over het hergebruiken van oude panden. Wel is snelheid belangrijk: een \
procedure van drie jaar is voor ons te lang.
""",
    ),
    (
        "Drentse Zorgtechniek",
        1,
        "Maak van de gezondheidseconomie een echte kracht van Assen",
        """\
Wij ontwikkelen hulpmiddelen voor thuiszorg, zoals sensoren die een val herkennen. Assen heeft \
alles wat een bedrijf als het onze nodig heeft: een ziekenhuis, zorgorganisaties, \
onderwijs en een goede ligging.

Wat nog ontbreekt, is iemand die de partijen bij elkaar brengt. Wij zijn daarom blij met het \
plan voor een **kwartiermaker gezondheidseconomie**. Onze tips voor die rol:

- help jonge bedrijven met het vinden van fondsen en subsidies, dat kost ons nu veel tijd;
- zorg dat bedrijven makkelijk in contact komen met zorgorganisaties om te testen;
- trek actief nieuwe bedrijven aan, bijvoorbeeld in biotech.

Als er meer bedrijven komen, ontstaat er een cluster. Dat maakt het ook makkelijker om talent \
te vinden en te houden.
""",
    ),
    (
        "Drentse Zorgtechniek",
        2,
        "Een plek om nieuwe zorgtechniek in de praktijk te testen",
        """\
Een nieuw product moet je testen met echte gebruikers. Nu gaan wij daarvoor vaak naar Groningen \
of zelfs naar het buitenland. Dat is jammer, want in Assen is veel zorg aanwezig.

Wij zien graag dat de TechHub uitgroeit tot een **Zorg & Innovatiecluster** met een \
proeftuin. Een plek waar bedrijven, zorgmedewerkers, studenten en cliënten samen nieuwe \
oplossingen testen. Studenten van het mbo en hbo kunnen daar leren en meedraaien in echte \
projecten.

Wij willen als bedrijf bijdragen met apparatuur en kennis. Ook willen we jaarlijks \
afstudeeropdrachten aanbieden. Wat we van de gemeente vragen, is hulp bij het organiseren en \
een startbudget voor de eerste twee jaar.
""",
    ),
    (
        "Installatiebedrijf Brink & Zonen",
        5,
        "Energiehubs: goed idee, maar begin klein en snel",
        """\
Als installateur zien we elke week de gevolgen van netcongestie. Klanten willen een warmtepomp \
of laadpalen, maar de aansluiting is te licht. Soms moeten we een opdracht dan afzeggen.

Het idee van energiehubs spreekt ons aan. Maar we zijn bang dat het te lang duurt. Ons advies: \
**begin met één terrein en leer daarvan**. Kies een terrein waar ondernemers al samenwerken.

Praktische oplossingen die nu al kunnen:

- slimme sturing van verbruik, zodat niet alles tegelijk aanstaat;
- batterijen om zonnestroom overdag op te slaan;
- afspraken tussen buren over wie wanneer stroom gebruikt.

Lokale installateurs hebben veel kennis. Betrek ons bij het ontwerp, dan voorkomen we dure \
fouten. Meer uitleg over zo'n aanpak: https://example.org/energiehubs
""",
    ),
    (
        "Installatiebedrijf Brink & Zonen",
        4,
        "Meer leerlingen in de techniek via leren en werken",
        """\
Wij hebben nu 25 monteurs en kunnen er morgen tien bijgebruiken. De energietransitie vraagt \
veel vakmensen, maar er kiezen te weinig jongeren voor techniek.

Wat bij ons werkt, is de **bbl-route**: leerlingen werken vier dagen bij ons en gaan één dag \
naar school. Ze verdienen meteen geld en leren het vak in de praktijk. Bijna al onze \
leerlingen blijven na hun diploma.

Kleine bedrijven vinden het begeleiden van een leerling wel zwaar. Het kost tijd van een \
ervaren monteur. Een gezamenlijke leerwerkplaats of een pool van praktijkopleiders voor \
meerdere bedrijven zou helpen. Ook zij-instromers, bijvoorbeeld mensen uit de logistiek of de \
horeca, willen we graag een kans geven.
""",
    ),
    (
        "Codekamer ICT",
        6,
        "Help het mkb digitaal weerbaar te worden",
        """\
Wij verzorgen de ICT voor ruim honderd kleine bedrijven in de regio. Wat ons zorgen baart: veel \
ondernemers zijn slecht beschermd tegen hackers. Geen back-up, overal hetzelfde wachtwoord, geen \
plan als het misgaat.

Een aanval kan een klein bedrijf dagen of weken stilleggen. Wij stellen voor:

- een gratis **digitale check** voor mkb-bedrijven, uitgevoerd door lokale ICT-bedrijven en \
studenten;
- korte workshops over veilig werken, in gewone taal;
- een aanspreekpunt in de regio waar ondernemers terechtkunnen na een incident.

Dit past goed bij het thema veiligheid en weerbaarheid dat Assen al heeft. Wij doen graag mee \
en kunnen stageplekken bieden voor studenten die de checks uitvoeren.
""",
    ),
    (
        "Codekamer ICT",
        2,
        "Houd ICT-talent vast na de opleiding",
        """\
Wij nemen elk jaar stagiairs aan van het mbo en het hbo. Het zijn goede studenten, maar na hun \
diploma vertrekken de meesten naar Groningen, Zwolle of de Randstad. Ze denken dat er in Assen \
geen interessant ICT-werk is.

Dat beeld klopt niet. Er zijn hier meer techbedrijven dan mensen denken. We moeten dat \
**beter laten zien**. Bijvoorbeeld met een jaarlijkse techdag waarop studenten bij bedrijven \
binnenkijken, of met gezamenlijke projecten waarin studenten van verschillende opleidingen \
samen aan een echte vraag werken.

Ook vragen wij het onderwijs om vaker samen met bedrijven lesstof te maken. Dan sluit de \
opleiding beter aan op wat er in de praktijk nodig is.
""",
    ),
    (
        "Precisietechniek Peelo",
        1,
        "Maakindustrie verdient een plek tussen de krachtsectoren",
        """\
Ons bedrijf maakt onderdelen voor onder andere de medische sector en de defensie-industrie. We \
hebben 60 mensen in dienst. De vraag naar onze producten groeit, onder meer door de aandacht \
voor veiligheid en weerbaarheid in Europa.

Wij vinden dat de **maakindustrie** een vaste plek moet krijgen in de agenda. Ze levert goede \
banen op voor mensen met een mbo-opleiding en verbindt veel andere sectoren.

Wat wij nodig hebben:

- hulp bij het vinden van Europese en landelijke subsidies voor investeringen;
- een netwerk met andere maakbedrijven in Drenthe om orders en kennis te delen;
- aandacht voor de veiligheidssector, zodat bedrijven in Assen kunnen meeliften op de \
Veiligheidscampus.
""",
    ),
    (
        "Precisietechniek Peelo",
        6,
        "Automatisering is voor ons geen keuze meer",
        """\
Door het tekort aan vakmensen moeten we slimmer werken. We hebben vorig jaar onze eerste robot \
gekocht die 's nachts doorwerkt. Dat was een grote stap voor een bedrijf van onze grootte.

Wat we daarbij merkten: de machine kopen is niet het moeilijkste. **Het moeilijkste is de \
kennis.** Onze medewerkers moeten leren programmeren en data lezen. Dat vraagt om scholing \
naast het werk.

Wij vragen de gemeente om samen met het onderwijs korte, praktische cursussen aan te bieden \
voor werknemers in de maakindustrie. Liever in de avond of op de werkvloer zelf. Ook zou een \
plek helpen waar bedrijven nieuwe technieken eerst kunnen uitproberen voordat ze investeren.
""",
    ),
    (
        "Drenthe College",
        4,
        "Genoeg stageplekken, maar niet altijd de goede",
        """\
Elk jaar zoeken duizenden mbo-studenten in de regio een stageplek. In sommige richtingen, zoals \
techniek en zorg, zijn er genoeg plekken. In andere richtingen is het lastig. Ook horen we dat \
studenten met een migratieachtergrond minder snel een plek vinden.

Wij vragen aandacht voor:

- **gelijke kansen** bij het vinden van een stage, met afspraken tegen stagediscriminatie;
- goede begeleiding op de werkvloer, zodat een stage ook echt iets oplevert;
- meer leerbanen voor volwassenen die willen omscholen.

Wij willen graag samen met werkgevers en het Werkplein een regionaal overzicht maken van \
stages en leerbanen. Dan kunnen studenten en bedrijven elkaar sneller vinden.
""",
    ),
    (
        "Drenthe College",
        6,
        "Digitale basisvaardigheden voor iedereen",
        """\
Digitalisering gaat snel. Niet iedereen kan dat bijhouden. We zien bij onze studenten, maar ook \
bij werkenden en ouderen, dat basisvaardigheden soms ontbreken. Denk aan veilig inloggen, een \
formulier online invullen of omgaan met AI-hulpmiddelen.

Wij vinden dat de Economische Agenda hier aandacht aan moet geven. **Digitale vaardigheden zijn \
een voorwaarde om mee te doen op de arbeidsmarkt.**

Het Drenthe College kan cursussen aanbieden, ook buiten de school, bijvoorbeeld in de \
bibliotheek of bij bedrijven. We willen graag samenwerken met werkgevers, zodat werknemers \
scholing krijgen die past bij hun werk. Zo voorkomen we dat mensen door digitalisering hun baan \
verliezen.
""",
    ),
    (
        "Hanzehogeschool Groningen",
        2,
        "Lectoraat Weerbaarheid: onderzoek dat bedrijven verder helpt",
        """\
Wij zijn blij dat Assen inzet op een **Veiligheidscampus** en een lectoraat over \
weerbaarheid. Dit sluit goed aan bij ons onderzoek naar veiligheid, digitale dreigingen en \
crisisbeheersing.

Een lectoraat werkt het best als het dicht bij de praktijk staat. Daarom stellen wij voor om:

- bedrijven en overheden vragen te laten inbrengen voor onderzoek;
- studenten in projectteams te laten werken op de campus in Assen;
- resultaten in begrijpelijke taal te delen, bijvoorbeeld in korte bijeenkomsten voor het mkb.

Wij zoeken ook naar samenwerking met de andere kennisinstellingen in Noord-Nederland. Zo kan \
Assen een echte plek worden voor kennis over veiligheid en weerbaarheid.
""",
    ),
    (
        "Hanzehogeschool Groningen",
        4,
        "Afgestudeerden binden aan Assen",
        """\
Veel van onze studenten komen uit Drenthe, maar na hun studie blijven ze vaak in Groningen of \
vertrekken ze naar het westen. Toch zijn er in Assen mooie banen, bijvoorbeeld in de zorg, de \
overheid en de techniek.

Wij denken dat het helpt als studenten al tijdens hun studie kennismaken met Assen. Bijvoorbeeld \
via afstudeeropdrachten bij bedrijven, traineeships bij de gemeente en andere werkgevers, en \
**praktijkonderzoek in de stad zelf**.

Daarnaast is een goede verbinding met Groningen belangrijk. Een snelle trein maakt het \
makkelijker om in de ene stad te wonen en in de andere te werken. Wij denken graag mee over een \
gezamenlijk traineeprogramma voor jonge hbo'ers in de regio.
""",
    ),
    (
        "Provincie Drenthe",
        5,
        "Netcongestie samen aanpakken in de regio",
        """\
Netcongestie is een probleem in heel Drenthe. De provincie werkt met de netbeheerders en \
gemeenten aan oplossingen. Wij vinden het goed dat Assen dit thema in de Economische Agenda \
opneemt.

Onze oproep is om **aan te sluiten bij de regionale aanpak**. Zo voorkomen we dat iedere \
gemeente zelf het wiel uitvindt. De provincie kan helpen met:

- kennis en ervaring uit andere energiehubs in Drenthe;
- subsidie voor onderzoek naar collectieve oplossingen op bedrijventerreinen;
- het bij elkaar brengen van bedrijven, netbeheerder en gemeente.

Daarnaast vragen wij om ruimte te reserveren voor energie-infrastructuur, zoals \
transformatorstations en opslag. Die ruimte is later vaak moeilijk te vinden.
""",
    ),
    (
        "Provincie Drenthe",
        3,
        "Assen als sterke partner in Noord-Nederland",
        """\
Assen heeft als hoofdstad van Drenthe een belangrijke rol in de regio. Veel economische \
vraagstukken stoppen niet bij de gemeentegrens. Denk aan de arbeidsmarkt, bereikbaarheid en \
innovatie.

Wij zien graag dat Assen **actief meedoet in regionale programma's** en fondsen, zoals die van \
het Noorden en Europa. Daarvoor is een goede organisatie nodig: mensen die weten welke fondsen \
er zijn en die projecten op tijd kunnen voorbereiden.

De provincie wil daarbij helpen. Wij stellen voor om één keer per jaar samen te kijken welke \
projecten uit de agenda kans maken op regionale of Europese steun. Zo halen we meer geld naar \
Drenthe en werken we niet langs elkaar heen.
""",
    ),
    (
        "Werkplein Drentsche Aa",
        4,
        "Kansen voor mensen die nu aan de kant staan",
        """\
Werkgevers zoeken mensen. Tegelijk staan er in Assen nog veel mensen aan de kant. Bijvoorbeeld \
mensen met een uitkering, statushouders of mensen met een beperking. Zij kunnen vaak meer dan \
werkgevers denken.

Wij vragen de agenda om aandacht voor **inclusief werkgeverschap**. Wat helpt:

- functies opknippen, zodat er eenvoudiger taken ontstaan;
- een jobcoach die de eerste maanden meekijkt;
- meer steun voor sociale ondernemers die mensen met een afstand een plek geven.

Het Werkplein kan werkgevers helpen met advies, loonkostensubsidie en het vinden van geschikte \
kandidaten. We willen graag vaker aanschuiven bij ondernemersnetwerken, zodat werkgevers ons \
sneller weten te vinden.
""",
    ),
    (
        "TechHub Assen",
        2,
        "Van TechHub naar een plek waar iedereen innoveert",
        """\
De TechHub is de afgelopen jaren een ontmoetingsplek geworden voor start-ups, studenten en \
bedrijven. We hebben meer dan dertig projecten begeleid. Nu willen we de volgende stap zetten.

Ons idee voor de komende jaren:

- een **vast programma** met maandelijkse bijeenkomsten over zorg, veiligheid en sensoren;
- werkplekken waar studenten en ondernemers samen aan een vraag werken;
- een kleine innovatievoucher voor mkb-bedrijven die voor het eerst iets nieuws proberen.

Het mkb blijft nu vaak weg, omdat innovatie als iets voor grote bedrijven voelt. Dat willen we \
veranderen. Daarvoor hebben we wel een stabiele basis nodig: een meerjarige afspraak met de \
gemeente en de onderwijsinstellingen.
""",
    ),
    (
        "TechHub Assen",
        1,
        "Nieuwe bedrijven laten landen in Assen",
        """\
Regelmatig krijgen wij vragen van bedrijven die zich in Noord-Nederland willen vestigen. Vaak \
gaat het om jonge bedrijven in zorgtechnologie of sensoren. Zij vragen: waar kan ik terecht, \
wie ken ik daar, en kan ik snel beginnen?

Wij denken dat Assen hier meer kan winnen. Een **welkomstpakket** voor nieuwe bedrijven zou \
helpen: tijdelijke werkruimte, een introductie bij andere bedrijven en hulp bij vergunningen en \
personeel.

Dit sluit goed aan bij de inzet op de krachtsectoren. Wij kunnen als TechHub de eerste \
opvang doen, als de gemeente zorgt voor de verbinding met vastgoed en andere partners. Zo \
worden nieuwe bedrijven sneller onderdeel van de stad.
""",
    ),
    (
        "Bedrijvenkring Assen",
        0,
        "Veilige en goed bereikbare bedrijventerreinen",
        """\
Een goede werklocatie gaat niet alleen over de kavel. Onze leden noemen ook de omgeving: is het \
terrein goed bereikbaar, is het er 's avonds veilig en ziet het er verzorgd uit?

Op sommige terreinen zijn de wegen te smal voor vrachtverkeer, ontbreekt een fietspad of is er \
weinig verlichting. Dat maakt het moeilijker om personeel te vinden, zeker voor mensen zonder \
auto.

Wij vragen de gemeente om:

- de bereikbaarheid met fiets en openbaar vervoer mee te nemen bij elk bedrijventerrein;
- samen met ondernemers te investeren in **cameratoezicht en verlichting**;
- oude bedrijventerreinen op te knappen voordat er nieuwe bij komen.

Zo blijven de bestaande terreinen aantrekkelijk voor de bedrijven die er al zitten.
""",
    ),
]

INDIVIDUAL_CONTRIBUTIONS = [
    (
        "Henk Mulder",
        5,
        "Zonnepanelen op alle grote bedrijfsdaken",
        """\
Ik woon in Assen-Oost en fiets elke dag langs bedrijventerreinen met enorme lege daken. Zonde, \
vind ik. Tegelijk hoor ik dat het stroomnet vol zit.

Mijn voorstel: zorg dat **zonne-energie van bedrijfsdaken zoveel mogelijk lokaal wordt \
gebruikt**. Bijvoorbeeld door bedrijven en een energiecoöperatie van inwoners samen te laten \
werken. Overdag gaat de stroom naar de bedrijven, en met een buurtbatterij kan een deel 's \
avonds naar de wijk.

Ik ben lid van een energiecoöperatie en wij willen graag meedenken. Inwoners zijn vaak bereid om \
mee te investeren als ze ook iets terugzien, zoals een lagere energierekening of een bijdrage \
aan de buurt.
""",
    ),
    (
        "Fatima El Amrani",
        6,
        "Vergeet de kleine zelfstandige niet",
        """\
Ik heb een eigen bedrijf als kleermaker in Assen. Mijn klanten vinden mij steeds vaker via \
internet. Maar een goede website en sociale media kosten veel tijd, en ik weet niet goed waar \
ik moet beginnen.

Veel zzp'ers en kleine winkeliers hebben hetzelfde probleem. Cursussen zijn vaak te duur of \
te ingewikkeld. Wat mij zou helpen:

- een **gratis spreekuur** waar je met je eigen vragen terechtkunt;
- uitleg in eenvoudige taal, en ook in andere talen;
- contact met andere ondernemers die hetzelfde hebben meegemaakt.

Digitalisering is een kans, maar alleen als iedereen mee kan doen. Ik hoop dat de gemeente ook \
aan de kleinste ondernemers denkt.
""",
    ),
]

OFFLINE_CONTRIBUTIONS = [
    (
        "Bedrijvenkring Assen",
        5,
        "Verslag ondernemersontbijt: netcongestie remt groei",
        """\
Tijdens het ondernemersontbijt spraken ongeveer 35 ondernemers met het projectteam. Het \
onderwerp dat het vaakst terugkwam, was **netcongestie**.

De belangrijkste punten:

- Meerdere bedrijven hebben uitbreidingsplannen uitgesteld omdat er geen zwaardere aansluiting \
komt.
- Ondernemers willen duidelijkheid: hoe lang gaat dit duren en wat kunnen ze nu al doen?
- Er is belangstelling voor samenwerking op het eigen terrein, maar weinig kennis over hoe je \
dat regelt.

De aanwezigen vroegen de gemeente om een bijeenkomst met de netbeheerder te organiseren, \
speciaal voor ondernemers in Assen. Ook was er de wens voor een vast aanspreekpunt voor \
energievragen.
""",
        "Ondernemersontbijt 5 maart 2026",
    ),
    (
        "Werkplein Drentsche Aa",
        4,
        "Taal op de werkvloer als sleutel voor nieuwe medewerkers",
        """\
Het Werkplein stuurde het projectteam een aanvulling per e-mail. Daarin staat dat veel \
werkzoekenden met een andere moedertaal wel willen en kunnen werken, maar vastlopen op de taal.

Volgens het Werkplein werkt **taal leren op de werkvloer** het beste. Een collega als taalmaatje \
en korte lessen tijdens werktijd leveren meer op dan een lange cursus vooraf.

Het Werkplein stelt voor om met een paar werkgevers in de logistiek en de zorg een proef te \
starten. Zij vragen de gemeente om dit op te nemen bij het thema arbeidsmarkt en om werkgevers \
hiervoor te benaderen via de bestaande ondernemersnetwerken.
""",
        "E-mail aan het projectteam, 12 februari 2026",
    ),
]

SMALL_PROCESS = {
    "slug": "levendige-binnenstad",
    "title": "Levendige binnenstad Assen",
    "summary": (
        "Hoe houden we de binnenstad van Assen levendig en aantrekkelijk? Deel uw ideeën over "
        "leegstand, evenementen en bereikbaarheid."
    ),
    "intro_md": """\
De binnenstad is het hart van Assen. Hier winkelen, werken, wonen en ontmoeten mensen elkaar. \
Maar de binnenstad verandert: er staan panden leeg, mensen kopen meer online en bezoekers \
verwachten meer dan alleen winkels.

Daarom vragen wij ondernemers, inwoners en organisaties om mee te denken. De inputronde is nu \
open. U kunt een idee geven bij een van de drie thema's hieronder, of reageren op de ideeën van \
anderen.

- **Leegstand**: wat doen we met lege winkelpanden?
- **Evenementen**: welke activiteiten trekken bezoekers naar de stad?
- **Bereikbaarheid**: hoe komen mensen makkelijk en prettig in het centrum?

Na deze ronde maken wij een eerste plan. Daarop kunt u in een tweede ronde reageren.
""",
    "contact": "Team Binnenstad, gemeente Assen - binnenstad@assen.example",
}

SMALL_THEMES = [
    (
        "Leegstand",
        "Er staan winkelpanden leeg in het centrum. Welke nieuwe functies passen daar, zoals "
        "wonen, ambachten, horeca of tijdelijke pop-upwinkels?",
    ),
    (
        "Evenementen",
        "Markten, festivals en culturele activiteiten brengen leven in de stad. Welke evenementen "
        "mist u, en hoe houden we overlast beperkt?",
    ),
    (
        "Bereikbaarheid",
        "Hoe komen bezoekers, bewoners en leveranciers goed in de binnenstad? Denk aan parkeren, "
        "fietsenstallingen, openbaar vervoer en looproutes.",
    ),
]

# Waiting for the project team (Organisations page): someone who registered a new organisation,
# and someone who says they take part for a known one. They have given no input, so the
# participation document is the same with or without them.
PENDING_NEW_ORGANISATIONS = [
    # (organisation, kind, sector, person, e-mail, role, KvK number or None)
    ("Bakkerij De Korenschoof", "business", "bakkerij", "Sanne Korenschoof",
     "sanne@korenschoof.example", "eigenaar", "12345678"),
]
PENDING_MEMBERS = [
    # (organisation from ORGANISATIONS, person, e-mail, role, KvK number or None)
    ("Van der Veen Logistiek", "Tim Bakker", "tim.bakker@mail.example", "planner", None),
]
