"""What a customer from each demo country looks like: names, trades, streets, cities, tax.

Plain data, written by hand so the demo needs no fake-data dependency. Lists are written as
text ("a | b | c") to keep them readable and compact. Cities carry their region, postal-code
prefixes and, where it is not the country's default, their time zone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    region: str
    postal: tuple[str, ...]  # prefixes (GB: outward codes); the rest is drawn
    timezone: str | None = None  # None: the country's default time zone


@dataclass(frozen=True)
class Country:
    code: str
    weight: int  # share of the demo's customers, in percent
    vat_bp: int  # VAT in basis points (US: 0, see SALES_TAX_BP)
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    two_surnames: bool  # Spanish-speaking countries: "Pérez Gómez"
    trades: tuple[str, ...]  # a line of business, as it appears in a firm's name
    legal_forms: tuple[tuple[str, int], ...]  # (form, weight)
    patterns: tuple[str, ...]  # business name templates
    syllables: tuple[str, ...]  # for invented brand names
    streets: tuple[str, ...]
    cities: tuple[City, ...]
    mailbox: str  # the accounts-payable mailbox of a business
    consumer_mail: tuple[str, ...]  # mail providers, on the reserved .example domain
    payment_words: str  # how payers of this country label a transfer for several invoices


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split("|"))


def _forms(text: str) -> tuple[tuple[str, int], ...]:
    pairs = (item.rsplit(":", 1) for item in _items(text))
    return tuple((form.strip(), int(weight)) for form, weight in pairs)


def _cities(text: str) -> tuple[City, ...]:
    """ "name, region, prefix prefix…[, time zone]" per city, cities separated by ";"."""
    cities = []
    for entry in text.split(";"):
        name, region, prefixes, *zone = (part.strip() for part in entry.split(","))
        cities.append(City(name, region, tuple(prefixes.split()), zone[0] if zone else None))
    return tuple(cities)


SPAIN = Country(
    code="ES",
    weight=35,
    vat_bp=2100,
    first_names=_items(
        "Lucía | Hugo | María | Martín | Carmen | Pablo | Elena | Javier | Ana | Diego | Laura"
        " | Álvaro | Marta | Sergio | Paula | Jorge | Isabel | Raúl | Nuria | Íñigo | Rocío"
        " | Andrés | Pilar | Xavier | Montserrat | Aitor"
    ),
    surnames=_items(
        "García | Fernández | González | Rodríguez | López | Martínez | Sánchez | Pérez"
        " | Gómez | Martín | Jiménez | Ruiz | Hernández | Díaz | Moreno | Álvarez | Romero"
        " | Navarro | Torres | Domínguez | Garmendia | Etxeberria | Puig | Ferrer | Castro"
        " | Ortega | Rubio | Molina | Serrano | Vidal | Ibáñez | Soler"
    ),
    two_surnames=True,
    trades=_items(
        "Construcciones | Transportes | Talleres | Distribuciones | Suministros"
        " | Instalaciones | Hostelería | Reformas | Logística | Carpintería | Comercial"
        " | Frutas | Electricidad | Climatización | Gráficas | Aceites"
    ),
    legal_forms=_forms("S.L.:70 | S.A.:15 | S.L.U.:10 | S.Coop.:5"),
    patterns=_items(
        "{trade} {surname} {form} | {brand} {form} | {trade} {brand} {form}"
        " | {surname} e Hijos {form} | Grupo {brand} {form}"
    ),
    syllables=_items(
        "al | ba | ca | dor | el | ga | lan | mar | na | ol | ra | sol | ta | ve | vi | za"
        " | ria | to | lo | nes"
    ),
    streets=_items(
        "Calle Mayor | Calle de Alcalá | Avenida de la Constitución | Calle Real"
        " | Paseo de Gracia | Calle San Vicente | Avenida de Andalucía | Gran Vía"
        " | Polígono Industrial Las Arenas | Calle del Carmen | Ronda de Valencia"
    ),
    cities=_cities(
        "Madrid, Madrid, 280; Barcelona, Barcelona, 080; Valencia, Valencia, 460;"
        " Sevilla, Sevilla, 410; Bilbao, Bizkaia, 480; Zaragoza, Zaragoza, 500;"
        " Málaga, Málaga, 290; Valladolid, Valladolid, 470;"
        " Las Palmas de Gran Canaria, Las Palmas, 350, Atlantic/Canary"
    ),
    mailbox="facturas",
    consumer_mail=("correo.example", "mail.example"),
    payment_words="Pago facturas",
)

GERMANY = Country(
    code="DE",
    weight=15,
    vat_bp=1900,
    first_names=_items(
        "Lukas | Anna | Jonas | Lea | Felix | Sophie | Maximilian | Marie | Paul | Hannah"
        " | Leon | Laura | Tobias | Katrin | Jürgen | Sabine | Dieter | Ulrike"
    ),
    surnames=_items(
        "Müller | Schmidt | Schneider | Fischer | Weber | Meyer | Wagner | Becker | Schulz"
        " | Hoffmann | Koch | Richter | Klein | Wolf | Schröder | Neumann | Schwarz"
        " | Zimmermann | Braun | Krüger | Hartmann | Lange | Weiß | Voigt"
    ),
    two_surnames=False,
    trades=_items(
        "Maschinenbau | Logistik | Bau | Elektrotechnik | Metallbau | Handel | Druckerei"
        " | Haustechnik | Spedition | Automation | Holzbau | Feinkost"
    ),
    legal_forms=_forms("GmbH:70 | GmbH & Co. KG:15 | AG:5 | e.K.:10"),
    patterns=_items(
        "{surname} {trade} {form} | {brand} {form} | {surname} & {surname2} {form}"
        " | {brand} {trade} {form}"
    ),
    syllables=_items(
        "berg | tal | kra | lin | stein | ha | wer | mo | tec | ro | sen | dor | ka | fel"
        " | gau | ner"
    ),
    streets=_items(
        "Hauptstraße | Bahnhofstraße | Gartenstraße | Industriestraße | Schillerstraße"
        " | Goethestraße | Lindenallee | Am Markt | Kirchweg | Friedrichstraße"
    ),
    cities=_cities(
        "Berlin, Berlin, 10 12; Hamburg, Hamburg, 20 22; München, Bayern, 80 81;"
        " Köln, Nordrhein-Westfalen, 50; Frankfurt am Main, Hessen, 60;"
        " Stuttgart, Baden-Württemberg, 70; Leipzig, Sachsen, 04;"
        " Düsseldorf, Nordrhein-Westfalen, 40"
    ),
    mailbox="buchhaltung",
    consumer_mail=("post.example", "mail.example"),
    payment_words="Zahlung Rechnungen",
)

FRANCE = Country(
    code="FR",
    weight=15,
    vat_bp=2000,
    first_names=_items(
        "Camille | Louis | Chloé | Hugo | Léa | Jules | Manon | Gabriel | Inès | Arthur"
        " | Juliette | Théo | Claire | Nicolas | Amélie | Rémi | Hélène | François"
    ),
    surnames=_items(
        "Martin | Bernard | Dubois | Thomas | Robert | Richard | Petit | Durand | Leroy"
        " | Moreau | Simon | Laurent | Lefèvre | Michel | Garnier | Faure | Rousseau | Blanc"
        " | Guérin | Boyer | Chevalier | Mercier | Girard | Lemaire"
    ),
    two_surnames=False,
    trades=_items(
        "Boulangerie | Transports | Menuiserie | Bâtiment | Imprimerie | Garage"
        " | Électricité | Plomberie | Négoce | Conseil | Traiteur | Vins"
    ),
    legal_forms=_forms("SARL:50 | SAS:35 | SA:5 | EURL:10"),
    patterns=_items(
        "{trade} {surname} {form} | {brand} {form} | Établissements {surname} {form}"
        " | {trade} {brand} {form}"
    ),
    syllables=_items("la | mar | ver | bel | ri | ton | cour | lu | mé | ca | val | lon | sa | té"),
    streets=_items(
        "Rue de la République | Rue Victor Hugo | Avenue Jean Jaurès | Boulevard Voltaire"
        " | Rue du Général de Gaulle | Place de la Mairie | Rue Pasteur | Avenue de la Gare"
        " | Chemin des Vignes | Rue Nationale"
    ),
    cities=_cities(
        "Paris, Île-de-France, 750; Lyon, Auvergne-Rhône-Alpes, 690;"
        " Marseille, Provence-Alpes-Côte d'Azur, 130; Toulouse, Occitanie, 310;"
        " Lille, Hauts-de-France, 590; Bordeaux, Nouvelle-Aquitaine, 330;"
        " Nantes, Pays de la Loire, 440"
    ),
    mailbox="comptabilite",
    consumer_mail=("courriel.example", "mail.example"),
    payment_words="Règlement factures",
)

BRITAIN = Country(
    code="GB",
    weight=12,
    vat_bp=2000,
    first_names=_items(
        "Oliver | Amelia | George | Isla | Harry | Ava | Jack | Emily | Thomas | Grace"
        " | James | Charlotte | William | Sophie | Alfie | Ruby | Callum | Eleanor"
    ),
    surnames=_items(
        "Smith | Jones | Taylor | Brown | Williams | Wilson | Johnson | Davies | Robinson"
        " | Wright | Thompson | Evans | Walker | White | Roberts | Green | Hall | Hartley"
        " | Bennett | Clarke | Hughes | Fletcher | Patel | Campbell"
    ),
    two_surnames=False,
    trades=_items(
        "Logistics | Engineering | Builders | Joinery | Catering | Print | Electrical"
        " | Plumbing | Consulting | Wholesale | Motors | Interiors"
    ),
    legal_forms=_forms("Ltd:85 | LLP:10 | plc:5"),
    patterns=_items(
        "{surname} {trade} {form} | {brand} {form} | {surname} & {surname2} {form}"
        " | {brand} {trade} {form} | {surname} & Sons {form}"
    ),
    syllables=_items(
        "ash | brook | wick | ton | field | ley | mere | stone | dale | ford | hart | well"
    ),
    streets=_items(
        "High Street | Station Road | Church Lane | Victoria Road | Park Avenue | Mill Lane"
        " | King Street | Queens Road | London Road | The Green"
    ),
    cities=_cities(
        "London, Greater London, EC1A SW1A N1 E14 SE1; Manchester, Greater Manchester, M1 M4;"
        " Birmingham, West Midlands, B1 B3; Leeds, West Yorkshire, LS1 LS2;"
        " Glasgow, Scotland, G1 G2; Bristol, Bristol, BS1"
    ),
    mailbox="accounts",
    consumer_mail=("mail.example", "post.example"),
    payment_words="Remittance",
)

USA = Country(
    code="US",
    weight=13,
    vat_bp=0,  # no VAT: businesses buy tax-exempt for resale; consumers pay state sales tax
    first_names=_items(
        "Liam | Olivia | Noah | Emma | James | Ava | Michael | Sophia | Ethan | Mia | Daniel"
        " | Harper | Carlos | Madison | Tyler | Grace | Jamal | Priya"
    ),
    surnames=_items(
        "Smith | Johnson | Williams | Brown | Jones | Miller | Davis | Garcia | Rodriguez"
        " | Wilson | Anderson | Taylor | Thomas | Moore | Jackson | Martin | Lee | Thompson"
        " | Harris | Clark | Lewis | Walker | Nguyen | Kim"
    ),
    two_surnames=False,
    trades=_items(
        "Logistics | Supply | Manufacturing | Construction | Foods | Systems | Industries"
        " | Distribution | Services | Solutions | Freight | Labs"
    ),
    legal_forms=_forms("Inc.:45 | LLC:45 | Corp.:10"),
    patterns=_items(
        "{brand} {trade} {form} | {surname} {trade} {form} | {brand} {form}"
        " | {surname} & {surname2} {form}"
    ),
    syllables=_items(
        "red | wood | lake | star | gate | ridge | pine | crest | view | point | bay | stone"
    ),
    streets=_items(
        "Main Street | Oak Avenue | Maple Drive | Washington Street | Park Place | Elm Street"
        " | Lake Shore Drive | Commerce Way | Industrial Blvd | Broadway"
    ),
    cities=_cities(
        "New York, NY, 100 101; Boston, MA, 021; Atlanta, GA, 303;"
        " Chicago, IL, 606, America/Chicago; Houston, TX, 770, America/Chicago;"
        " Denver, CO, 802, America/Denver; Los Angeles, CA, 900, America/Los_Angeles;"
        " Seattle, WA, 981, America/Los_Angeles"
    ),
    mailbox="ap",
    consumer_mail=("mail.example", "inbox.example"),
    payment_words="Remittance",
)

MEXICO = Country(
    code="MX",
    weight=10,
    vat_bp=1600,
    first_names=_items(
        "Sofía | Santiago | Valentina | Mateo | Regina | Sebastián | Ximena | Diego | Camila"
        " | Emiliano | Fernanda | Leonardo | Guadalupe | José | Itzel | Rodrigo"
    ),
    surnames=_items(
        "Hernández | García | Martínez | López | González | Pérez | Rodríguez | Sánchez"
        " | Ramírez | Cruz | Flores | Gómez | Morales | Vázquez | Reyes | Jiménez | Torres"
        " | Díaz | Gutiérrez | Ruiz | Mendoza | Aguilar | Castillo | Ortiz"
    ),
    two_surnames=True,
    trades=_items(
        "Comercializadora | Distribuidora | Constructora | Transportes | Servicios"
        " | Abarrotes | Importadora | Industrias | Ferretería | Agroindustrias"
    ),
    legal_forms=_forms("S.A. de C.V.:65 | S. de R.L. de C.V.:25 | S.A.P.I. de C.V.:10"),
    patterns=_items(
        "{trade} {surname} {form} | {trade} {brand} {form} | Grupo {brand} {form} | {brand} {form}"
    ),
    syllables=_items("a | za | te | co | tla | mi | xa | ca | lo | ma | yu | na"),
    streets=_items(
        "Avenida Insurgentes Sur | Paseo de la Reforma | Calle Madero | Avenida Juárez"
        " | Calle Hidalgo | Avenida Revolución | Calle Morelos | Boulevard Díaz Ordaz"
        " | Calzada de Tlalpan | Avenida Vallarta"
    ),
    cities=_cities(
        "Ciudad de México, Ciudad de México, 06 03 11; Guadalajara, Jalisco, 44;"
        " Monterrey, Nuevo León, 64, America/Monterrey; Puebla, Puebla, 72;"
        " Querétaro, Querétaro, 76; Mérida, Yucatán, 97, America/Merida;"
        " Tijuana, Baja California, 22, America/Tijuana"
    ),
    mailbox="cuentasporpagar",
    consumer_mail=("correo.example", "mail.example"),
    payment_words="Pago facturas",
)

COUNTRIES: tuple[Country, ...] = (SPAIN, GERMANY, FRANCE, BRITAIN, USA, MEXICO)

# US consumers pay their state's sales tax (state plus a typical local rate, basis points)
SALES_TAX_BP = {
    "NY": 888,
    "MA": 625,
    "GA": 800,
    "IL": 1025,
    "TX": 825,
    "CO": 770,
    "CA": 950,
    "WA": 1025,
}
