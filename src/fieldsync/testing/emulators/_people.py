"""Word lists for the organization generator: people, companies and places by country.

Each name is ``(as written, ascii handle)``: the first goes into the contact's name fields
(accents, CJK, Arabic), the second builds a plausible email address.
"""

from __future__ import annotations

import attrs

__all__ = [
    "COMPANY_TRADES",
    "COMPANY_WORDS",
    "COUNTRIES",
    "GROUP_LOCAL_PARTS",
    "MAIL_DOMAINS",
    "Country",
    "Name",
]

Name = tuple[str, str]


@attrs.frozen
class Country:
    """A country the generator draws contacts from, with what people there look like."""

    name: str
    region: str
    currency: str
    language: str
    dialing: str
    weight: int
    first_names: tuple[Name, ...]
    last_names: tuple[Name, ...]
    cities: tuple[tuple[str, str, str], ...]  # (city, state, zip)
    mail: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    tld: str


COUNTRIES: tuple[Country, ...] = (
    Country(
        name="India",
        region="APAC",
        currency="INR",
        language="en",
        dialing="+91",
        weight=40,
        first_names=(
            ("Aarav", "aarav"),
            ("Priya", "priya"),
            ("Ananya", "ananya"),
            ("Rohan", "rohan"),
            ("Saanvi", "saanvi"),
            ("Vihaan", "vihaan"),
            ("Lakshmi", "lakshmi"),
            ("Karthik", "karthik"),
            ("अर्जुन", "arjun"),
            ("Zainab", "zainab"),
        ),
        last_names=(
            ("Sharma", "sharma"),
            ("Iyer", "iyer"),
            ("Patel", "patel"),
            ("Reddy", "reddy"),
            ("Nair", "nair"),
            ("Gupta", "gupta"),
            ("Venkataraman", "venkataraman"),
            ("D'Souza", "dsouza"),
        ),
        cities=(
            ("Chennai", "Tamil Nadu", "600001"),
            ("Bengaluru", "Karnataka", "560001"),
            ("Mumbai", "Maharashtra", "400001"),
            ("Pune", "Maharashtra", "411001"),
            ("New Delhi", "Delhi", "110001"),
        ),
        mail=("gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"),
        company_suffixes=("Pvt Ltd", "Traders", "Enterprises", "Solutions LLP"),
        tld="in",
    ),
    Country(
        name="United States",
        region="Americas",
        currency="USD",
        language="en",
        dialing="+1",
        weight=22,
        first_names=(
            ("James", "james"),
            ("Mary", "mary"),
            ("Emily", "emily"),
            ("Michael", "michael"),
            ("Olivia", "olivia"),
            ("José", "jose"),
            ("Chloé", "chloe"),
        ),
        last_names=(
            ("Smith", "smith"),
            ("Johnson", "johnson"),
            ("O'Brien", "obrien"),
            ("García", "garcia"),
            ("Nguyen", "nguyen"),
            ("Washington", "washington"),
        ),
        cities=(
            ("Austin", "Texas", "78701"),
            ("San Francisco", "California", "94105"),
            ("New York", "New York", "10001"),
            ("Seattle", "Washington", "98101"),
        ),
        mail=("gmail.com", "yahoo.com", "outlook.com", "icloud.com"),
        company_suffixes=("Inc.", "LLC", "Corp.", "& Co."),
        tld="com",
    ),
    Country(
        name="Germany",
        region="EMEA",
        currency="EUR",
        language="de",
        dialing="+49",
        weight=10,
        first_names=(
            ("Jürgen", "juergen"),
            ("Änne", "aenne"),
            ("Lukas", "lukas"),
            ("Sophie", "sophie"),
            ("Björn", "bjoern"),
        ),
        last_names=(
            ("Müller", "mueller"),
            ("Schröder", "schroeder"),
            ("Weiß", "weiss"),
            ("Groß", "gross"),
            ("Becker", "becker"),
        ),
        cities=(
            ("Berlin", "Berlin", "10115"),
            ("München", "Bayern", "80331"),
            ("Köln", "Nordrhein-Westfalen", "50667"),
        ),
        mail=("web.de", "gmx.de", "t-online.de"),
        company_suffixes=("GmbH", "AG", "KG"),
        tld="de",
    ),
    Country(
        name="France",
        region="EMEA",
        currency="EUR",
        language="fr",
        dialing="+33",
        weight=5,
        first_names=(("Zoé", "zoe"), ("Hélène", "helene"), ("François", "francois")),
        last_names=(("Lefèvre", "lefevre"), ("Dupont", "dupont"), ("Nöel", "noel")),
        cities=(("Paris", "Île-de-France", "75001"), ("Lyon", "Auvergne-Rhône-Alpes", "69001")),
        mail=("orange.fr", "free.fr", "gmail.com"),
        company_suffixes=("SARL", "SAS"),
        tld="fr",
    ),
    Country(
        name="Japan",
        region="APAC",
        currency="JPY",
        language="ja",
        dialing="+81",
        weight=5,
        first_names=(("翔太", "shota"), ("花子", "hanako"), ("さくら", "sakura")),
        last_names=(("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi")),
        cities=(("東京", "東京都", "100-0001"), ("大阪", "大阪府", "530-0001")),
        mail=("docomo.ne.jp", "yahoo.co.jp", "gmail.com"),
        company_suffixes=("株式会社", "KK"),
        tld="jp",
    ),
    Country(
        name="China",
        region="APAC",
        currency="CNY",
        language="zh",
        dialing="+86",
        weight=4,
        first_names=(("伟", "wei"), ("芳", "fang"), ("秀英", "xiuying")),
        last_names=(("王", "wang"), ("李", "li"), ("张", "zhang")),
        cities=(("上海", "上海市", "200000"), ("深圳", "广东省", "518000")),
        mail=("qq.com", "163.com", "126.com"),
        company_suffixes=("有限公司", "Ltd"),
        tld="cn",
    ),
    Country(
        name="United Arab Emirates",
        region="EMEA",
        currency="AED",
        language="en",
        dialing="+971",
        weight=4,
        first_names=(("محمد", "mohammed"), ("فاطمة", "fatima"), ("Omar", "omar")),
        last_names=(("العلي", "alali"), ("Haddad", "haddad"), ("الحسيني", "alhusseini")),
        cities=(("Dubai", "Dubai", "00000"), ("Abu Dhabi", "Abu Dhabi", "00000")),
        mail=("gmail.com", "emirates.net.ae", "outlook.com"),
        company_suffixes=("FZE", "LLC"),
        tld="ae",
    ),
    Country(
        name="Brazil",
        region="Americas",
        currency="BRL",
        language="pt",
        dialing="+55",
        weight=4,
        first_names=(("João", "joao"), ("Conceição", "conceicao"), ("Thiago", "thiago")),
        last_names=(("Gonçalves", "goncalves"), ("Araújo", "araujo"), ("Silva", "silva")),
        cities=(("São Paulo", "SP", "01000-000"), ("Curitiba", "PR", "80000-000")),
        mail=("uol.com.br", "gmail.com", "bol.com.br"),
        company_suffixes=("Ltda.", "S.A."),
        tld="com.br",
    ),
    Country(
        name="United Kingdom",
        region="EMEA",
        currency="GBP",
        language="en",
        dialing="+44",
        weight=6,
        first_names=(("Oliver", "oliver"), ("Amelia", "amelia"), ("Siobhán", "siobhan")),
        last_names=(("Taylor", "taylor"), ("Ó Ceallaigh", "okelly"), ("Evans", "evans")),
        cities=(("London", "England", "EC1A 1BB"), ("Manchester", "England", "M1 1AE")),
        mail=("btinternet.com", "gmail.com", "hotmail.co.uk"),
        company_suffixes=("Ltd", "PLC"),
        tld="co.uk",
    ),
)

COMPANY_WORDS: tuple[str, ...] = (
    "Zylker",
    "Acme",
    "Sunrise",
    "Bluebell",
    "Kaveri",
    "Nimbus",
    "Evergreen",
    "Lotus",
    "Orbit",
    "Saffron",
    "Granite",
    "Harbor",
)

COMPANY_TRADES: tuple[str, ...] = (
    "Textiles",
    "Foods",
    "Logistics",
    "Software",
    "Pharma",
    "Design",
    "Motors",
    "Exports",
)

MAIL_DOMAINS = tuple(sorted({domain for country in COUNTRIES for domain in country.mail}))

# Role addresses that mailing services refuse (Zoho Campaigns code 2005).
GROUP_LOCAL_PARTS: tuple[str, ...] = ("info", "sales", "admin", "support", "accounts")
