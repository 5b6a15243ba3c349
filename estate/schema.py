"""The inventory schema: every sheet and column estate reads, in one place.

The reader, the validator, the collection template and the documentation all
come from the tables defined here; nothing about columns is written twice.

A :class:`Table` is one inventory sheet (``Systems``, ``Contracts``,
``Integrations``, ``Sites``, ``Organisations``). A :class:`Field` is one of its
columns: canonical ``name`` (snake_case, the DataFrame column), ``kind`` (how
its cells are parsed), whether it is required, its unit, the header wordings it
is recognised by and a description for people.

Headers are matched after :func:`normalise_header`: lower case, every run of
characters that are not letters or digits removed, ``&`` read as ``and`` and
a trailing currency or unit in brackets dropped, so ``"Annual Cost (£)"``,
``"annual_cost"`` and ``"ANNUAL  COST"`` all become ``"annualcost"``.

Field kinds
-----------
text
    Free text, kept as written (trimmed).
money
    An amount in the plan currency a year (or once, for exit costs): numbers or
    text such as ``£12,500``, ``12.5k``, ``£1.2m``, ``(1,200)``.
count
    A whole number such as users; a band such as ``1-100`` or ``50,000+`` is
    read as its midpoint or lower bound with a warning.
date
    A calendar date: Excel dates, ISO, ``31/03/2027``, ``Mar 2027`` or a
    financial year ``2027/28`` (its last day).
months
    A duration in months, such as a notice period.
percent
    A fraction: ``45%``, ``0.45`` and ``45`` all read as 0.45.
choice
    One of a fixed list of values (``choices``), matched by synonyms.

Examples
--------
>>> SYSTEMS.field("annual_cost").kind
'money'
>>> TABLES["systems"].match_header("Annual Cost (£)")
'annual_cost'
>>> normalise_header(" Licence & Support ")
'licenceandsupport'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CONTRACTS",
    "CRITICALITY",
    "Choice",
    "DATA_PARTITIONING",
    "Field",
    "HOSTING",
    "INTEGRATIONS",
    "LIFECYCLE",
    "ORGANISATIONS",
    "SITES",
    "SYSTEMS",
    "TABLES",
    "Table",
    "is_vendor_product_heading",
    "normalise_header",
]

Kind = Literal["text", "money", "count", "date", "months", "percent", "choice"]

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _drop_unit(raw: str) -> str:
    r"""``raw`` without a unit in brackets at its end (``Cost (£)`` → ``Cost``), found without a regular
    expression: ``\s*[([][^)\]]*[)\]]\s*$`` backtracks quadratically on a long run of ``(``."""
    body = raw.rstrip()
    if not body.endswith((")", "]")):
        return raw
    end = len(body) - 1
    previous = max(body.rfind(")", 0, end), body.rfind("]", 0, end))
    opens = [i for i in (body.find("(", previous + 1, end), body.find("[", previous + 1, end)) if i >= 0]
    return body[:min(opens)].rstrip() if opens else raw


def normalise_header(text: object) -> str:
    """Reduce a header cell to the key synonyms are compared on.

    Parameters
    ----------
    text : object
        The header cell as read.

    Returns
    -------
    str
        Lower case letters and digits only; ``&`` becomes ``and``; a unit in
        brackets at the end (``(£)``, ``[GBP]``, ``(months)``) is dropped
        unless nothing else is left.

    Examples
    --------
    >>> normalise_header("Contract End Date (dd/mm/yyyy)")
    'contractenddate'
    >>> normalise_header("No. of users")
    'noofusers'
    """
    raw = "" if text is None else str(text)
    stripped = _drop_unit(raw)
    if stripped.strip():
        raw = stripped
    raw = raw.lower().replace("&", " and ").replace("£", "")
    return _NOT_ALNUM.sub("", raw)


_VENDOR_PRODUCT = re.compile(r"^(?:supplier|vendor|provider|company)(?:and|or)?(?:product|software|system|"
                             r"application|solution)(?:name)?s?$")


def is_vendor_product_heading(text: object) -> bool:
    """Whether a heading names the supplier and the product in one column (``Supplier / Product``).

    >>> is_vendor_product_heading("Supplier / Product"), is_vendor_product_heading("Supplier")
    (True, False)
    """
    return _VENDOR_PRODUCT.match(normalise_header(text)) is not None


@dataclass(frozen=True)
class Choice:
    """A fixed list of values, each recognised by synonyms.

    Parameters
    ----------
    name : str
        The list's name, as shown in the template's drop-downs.
    values : dict of str to tuple of str
        Canonical value to the wordings that mean it.
    """

    name: str
    values: dict[str, tuple[str, ...]]

    @property
    def canonical(self) -> tuple[str, ...]:
        """The canonical values, in order."""
        return tuple(self.values)

    def lookup(self) -> dict[str, str]:
        """Normalised wording to canonical value."""
        table: dict[str, str] = {}
        for value, words in self.values.items():
            for word in (value, *words):
                table[normalise_header(word)] = value
        return table


HOSTING = Choice(
    "hosting",
    {
        "on-premises": ("on premises", "on-prem", "on prem", "onprem", "on premise", "on-premise", "on site",
                        "onsite", "in house", "in house server", "local server", "own data centre",
                        "own datacentre", "internal"),
        "named site": ("site", "data centre", "datacentre", "server room", "colocation", "colo"),
        "cloud": ("iaas", "paas", "azure", "aws", "amazon web services", "google cloud", "gcp",
                  "public cloud", "private cloud", "hosted", "vendor hosted", "supplier hosted",
                  "hosted by supplier", "hosted by vendor", "hosted by the supplier", "third party hosted",
                  "externally hosted", "managed service", "managed hosting", "off premises", "off-prem",
                  "n3", "hscn", "n3/hscn", "hscn/n3", "national", "nationally hosted", "national service"),
        "saas": ("software as a service", "cloud saas", "saas cloud", "subscription"),
    },
)

LIFECYCLE = Choice(
    "lifecycle",
    {
        "live": ("in use", "active", "production", "current", "in service", "operational", "bau"),
        "end-of-life": ("eol", "end of life", "out of support", "unsupported", "legacy",
                        "sunset", "sunsetting", "retiring", "decommission", "to be decommissioned",
                        "decommissioning", "being decommissioned"),
        "being replaced": ("replacement in progress", "under replacement", "being migrated",
                           "migrating", "replacing", "to be replaced", "in procurement"),
    },
)

CRITICALITY = Choice(
    "criticality",
    {
        "critical": ("mission critical", "business critical", "tier 1", "tier1", "very high",
                     "essential", "p1", "gold", "1", "cat 1", "category 1"),
        "high": ("tier 2", "tier2", "important", "p2", "silver", "2", "cat 2", "category 2"),
        "medium": ("moderate", "tier 3", "tier3", "p3", "bronze", "normal", "3", "cat 3", "category 3"),
        "low": ("tier 4", "tier4", "minor", "p4", "non critical", "noncritical", "4", "cat 4", "category 4"),
    },
)

DATA_PARTITIONING = Choice(
    "data_partitioning",
    {
        "segmented": ("segregated", "partitioned", "separable", "split by area", "by area", "multi tenant",
                      "multitenant", "separate", "separated"),
        "monolithic": ("single database", "one database", "shared database", "combined", "not segmented",
                       "unsegmented", "mixed", "single tenant", "inseparable"),
    },
)


@dataclass(frozen=True)
class Field:
    """One inventory column.

    Parameters
    ----------
    name : str
        Canonical snake_case name: the DataFrame column and template header.
    kind : {"text", "money", "count", "date", "months", "percent", "choice"}
        How cells are parsed.
    description : str
        What to put in it, for the template's instructions and the docs.
    required : bool, default=False
        Whether a table is unusable without this column.
    unit : str, default=""
        Unit of the parsed value ("GBP a year", "people", "months").
    synonyms : tuple of str
        Other header wordings that mean this column.
    choice : Choice or None
        The list of allowed values for ``kind="choice"``.
    example : tuple
        Two example values for the template.
    """

    name: str
    kind: Kind
    description: str
    required: bool = False
    unit: str = ""
    synonyms: tuple[str, ...] = ()
    choice: Choice | None = None
    example: tuple[object, object] = ("", "")

    @property
    def header(self) -> str:
        """The heading written in the template and reports."""
        return self.name

    def header_keys(self) -> tuple[str, ...]:
        """Every normalised wording this column is recognised by."""
        words = (self.name, self.name.replace("_", " "), *self.synonyms)
        return tuple(dict.fromkeys(normalise_header(w) for w in words))


@dataclass(frozen=True)
class Table:
    """One inventory sheet.

    Parameters
    ----------
    key : str
        Canonical key, also the attribute of :class:`estate.Inventory`.
    sheet : str
        The sheet name written in the template.
    fields : tuple of Field
        Its columns, in template order.
    synonyms : tuple of str
        Other sheet names that mean this table.
    required : bool
        Whether an inventory must have this table.
    description : str
        What the sheet holds, for the template's instructions.
    """

    key: str
    sheet: str
    fields: tuple[Field, ...]
    synonyms: tuple[str, ...] = ()
    required: bool = False
    description: str = ""
    _headers: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        headers: dict[str, str] = {}
        for column in self.fields:
            for key in column.header_keys():
                if key in headers and headers[key] != column.name:
                    raise ValueError(f"header {key!r} means both {headers[key]} and {column.name}")
                headers[key] = column.name
        object.__setattr__(self, "_headers", headers)

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical column names in order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The column called ``name``."""
        for column in self.fields:
            if column.name == name:
                return column
        raise KeyError(name)

    def match_header(self, text: object) -> str | None:
        """The canonical column a header cell means, or None.

        Examples
        --------
        >>> SYSTEMS.match_header("No. of Users")
        'users'
        >>> SYSTEMS.match_header("Favourite colour") is None
        True
        """
        return self._headers.get(normalise_header(text))

    def sheet_keys(self) -> tuple[str, ...]:
        """Every normalised sheet name this table is recognised by."""
        return tuple(dict.fromkeys(normalise_header(w) for w in (self.sheet, self.key, *self.synonyms)))


_ORG = Field(
    "organisation", "text",
    "The organisation that runs the system. Leave blank in a file that holds one organisation.",
    synonyms=("organization", "org", "organisation name", "organization name", "body", "authority",
              "council", "trust", "partner", "partner organisation", "owner organisation", "agency",
              "department", "organisation code", "member"),
    example=("Carlisle City Council", "Carlisle City Council"),
)

SYSTEMS = Table(
    "systems", "Systems",
    (
        _ORG,
        Field("system", "text", "The name the organisation uses for the system.", required=True,
              synonyms=("system name", "application", "application name", "app", "app name", "service",
                        "it system", "system title", "solution", "name", "asset", "asset name",
                        "software", "software name", "line of business system", "lob system",
                        "information asset", "information asset name", "contract title"),
              example=("Revenues and Benefits", "Finance system")),
        Field("vendor", "text", "Who supplies it (the software company).",
              synonyms=("supplier", "vendor name", "supplier name", "provider", "manufacturer",
                        "publisher", "software supplier", "company", "contractor"),
              example=("Capita", "Unit4")),
        Field("product", "text",
              "The product it is, as the supplier names it. Several products may be listed with ';'.",
              synonyms=("product name", "software product", "package", "platform", "product version name",
                        "technology", "brand", "product module", "product and module", "products"),
              example=("Capita Academy", "Unit4 Business World")),
        Field("version", "text", "The version or edition in use.",
              synonyms=("release", "version number", "edition", "build", "ver"),
              example=("7.2", "Milestone 7")),
        Field("capability", "text",
              "What the system is for: a capability from the taxonomy (the template's drop-down), or your own words.",
              synonyms=("function", "business function", "business capability", "service area", "category",
                        "purpose", "used for", "capability area", "function area", "esd function",
                        "lga function", "what it does", "business area", "service line", "domain",
                        "description", "asset description", "system description", "application description"),
              example=("Revenues and benefits", "Finance")),
        Field("users", "count", "How many people use it (named or concurrent users).", unit="people",
              synonyms=("user count", "number of users", "no of users", "num users", "users count",
                        "user numbers", "headcount", "licences", "licenses", "seats", "named users",
                        "concurrent users", "total users", "no users", "usercount", "licensed users",
                        "licenced users", "user licences", "user licenses", "no of licences", "number of licences"),
              example=(120, 450)),
        Field("licence_cost", "money", "Annual software licence and subscription cost.", unit="GBP a year",
              synonyms=("license cost", "licence", "license", "licence fee", "license fee", "licensing",
                        "annual licence", "annual license", "subscription", "subscription cost",
                        "licence costs", "license costs", "software cost", "licence and subscription",
                        "license and subscription", "licence subscription", "license subscription",
                        "licences and subscriptions", "subscriptions"),
              example=(45000, 120000)),
        Field("support_cost", "money", "Annual support and maintenance paid to the supplier.", unit="GBP a year",
              synonyms=("support", "maintenance", "support and maintenance", "maintenance cost",
                        "support costs", "annual support", "annual maintenance", "s and m", "sandm",
                        "support and maint", "support maint", "maint", "support and maintenance cost"),
              example=(12000, 30000)),
        Field("hosting_cost", "money", "Annual hosting, hardware and infrastructure cost.", unit="GBP a year",
              synonyms=("hosting costs pa", "infrastructure cost", "hardware cost", "hosting costs", "infra cost",
                        "cloud cost", "data centre cost"),
              example=(8000, 0)),
        Field("staff_cost", "money", "Annual cost of the staff who run and support it.", unit="GBP a year",
              synonyms=("staff", "internal staff cost", "labour cost", "people cost", "fte cost",
                        "support staff cost", "internal cost", "staffing cost"),
              example=(25000, 60000)),
        Field("annual_cost", "money",
              "Total annual run cost. Give it when there is no breakdown; with a breakdown it is checked.",
              unit="GBP a year",
              synonyms=("annual cost", "total cost", "total annual cost", "cost", "yearly cost", "cost per year",
                        "annual spend", "spend", "run cost", "running cost", "annual running cost",
                        "cost pa", "cost per annum", "annual value", "total", "tco", "annual tco",
                        "revenue cost", "contract value pa", "annual revenue cost", "recurring cost",
                        "annual recurring cost", "recurring revenue cost"),
              example=(90000, 210000)),
        Field("contract_end", "date", "When the current contract ends.",
              synonyms=("contract end date", "end date", "expiry", "expiry date", "contract expiry",
                        "contract expiry date", "renewal date", "contract renewal", "contract ends",
                        "end of contract", "term end", "expires", "contract end fy", "renewal", "renewal due",
                        "next renewal"),
              example=("2027-03-31", "2029-06-30")),
        Field("exit_cost", "money", "One-off cost of leaving the contract early.", unit="GBP once",
              synonyms=("termination cost", "early termination cost", "exit fee", "termination fee",
                        "break cost", "exit costs", "cost to exit"),
              example=(20000, 0)),
        Field("notice_months", "months", "Notice the contract requires before it ends.", unit="months",
              synonyms=("notice period", "notice", "notice period months", "months notice", "notice months",
                        "termination notice"),
              example=(6, 12)),
        Field("hosting", "choice", "Where it runs: on-premises, a named site, cloud or SaaS.",
              choice=HOSTING,
              synonyms=("hosting model", "hosted", "hosting type", "deployment", "deployment type",
                        "deployment model", "where hosted", "location", "hosting location", "hosted where",
                        "infrastructure"),
              example=("on-premises", "saas")),
        Field("site", "text", "The data centre or server room it runs in, when on-premises.",
              synonyms=("site name", "data centre", "datacentre", "data center", "server room", "hosting site",
                        "dc"),
              example=("Civic Centre server room", "")),
        Field("lifecycle", "choice", "live, end-of-life or being replaced.", choice=LIFECYCLE,
              synonyms=("status", "lifecycle status", "life cycle", "state", "support status",
                        "lifecycle stage", "system status"),
              example=("live", "end-of-life")),
        Field("criticality", "choice", "How critical the system is: critical, high, medium or low.",
              choice=CRITICALITY,
              synonyms=("business criticality", "priority", "tier", "importance", "critical", "rating",
                        "service tier", "classification"),
              example=("critical", "high")),
        Field("integrations", "text",
              "Other systems it exchanges data with, separated by ';' (names or system ids).",
              synonyms=("interfaces", "integrates with", "interfaces with", "connected systems", "links to",
                        "feeds", "data flows", "integration", "dependencies"),
              example=("Finance system", "")),
        Field("system_id", "text", "Your own identifier for the system, unique within the organisation.",
              synonyms=("id", "system id", "app id", "application id", "asset id", "ref", "reference",
                        "system ref", "system reference", "cmdb id", "ci id", "asset number", "no"),
              example=("CCC-001", "CCC-002")),
        Field("successor", "text",
              "Reorganisation: the successor authority that takes this system, when it is not simply its "
              "organisation's (one of the successors named on the Organisations sheet).",
              synonyms=("successor authority", "new authority", "goes to", "transfers to", "future authority",
                        "successor organisation", "system successor", "successor council"),
              example=("Cumberland Council", "")),
        Field("shared_with", "text",
              "Other organisations that use this same instance (a shared service), separated by ';'.",
              synonyms=("shared", "shared service with", "shared instance with", "also used by", "used also by",
                        "shared by", "sharing partners", "partners sharing"),
              example=("", "Allerdale Borough Council")),
        Field("data_partitioning", "choice",
              "Whether its data can be separated by area or body (segmented) or is one inseparable "
              "database (monolithic): partitioning monolithic data is slower and dearer.",
              choice=DATA_PARTITIONING,
              synonyms=("data partition", "data segmentation", "data separation", "data model", "partitioning",
                        "data structure", "segmented data"),
              example=("segmented", "monolithic")),
    ),
    synonyms=("system", "applications", "application", "apps", "application inventory", "app inventory",
              "systems inventory", "inventory", "it systems", "application register", "systems register",
              "software", "asset register", "ict systems", "ict inventory", "register", "applications list",
              "systems list", "information asset register", "iar", "information assets"),
    required=True,
    description="One row a system: one running instance of a product in one organisation.",
)

CONTRACTS = Table(
    "contracts", "Contracts",
    (
        _ORG,
        Field("contract_id", "text", "Your reference for the contract.",
              synonyms=("contract ref", "contract reference", "contract number", "contract no", "ref", "id",
                        "reference"),
              example=("CON-2021-014", "CON-2019-003")),
        Field("system", "text", "The system it covers: its system_id or its name.", required=True,
              synonyms=("system name", "application", "system id", "covers", "for system", "service"),
              example=("CCC-001", "Finance system")),
        Field("supplier", "text", "Who the contract is with.",
              synonyms=("vendor", "contractor", "provider", "supplier name", "company"),
              example=("Capita", "Unit4")),
        Field("annual_value", "money", "What the contract costs a year.", unit="GBP a year",
              synonyms=("annual cost", "value", "contract value", "value pa", "annual contract value", "cost"),
              example=(57000, 150000)),
        Field("contract_start", "date", "When the contract started.",
              synonyms=("start", "start date", "contract start date", "commenced", "effective date"),
              example=("2021-04-01", "2019-07-01")),
        Field("contract_end", "date", "When the contract ends.",
              synonyms=("end", "end date", "contract end date", "expiry", "expiry date", "expires",
                        "renewal date"),
              example=("2027-03-31", "2029-06-30")),
        Field("notice_months", "months", "Notice required before the end.", unit="months",
              synonyms=("notice", "notice period", "months notice", "notice period months"),
              example=(6, 12)),
        Field("exit_cost", "money", "One-off cost of leaving early.", unit="GBP once",
              synonyms=("termination cost", "exit fee", "break cost", "early termination cost"),
              example=(20000, 0)),
        Field("extension_options", "text", "Extensions the contract allows (e.g. '2+1').",
              synonyms=("extensions", "extension", "options to extend", "extension period"),
              example=("1+1", "")),
    ),
    synonyms=("contract", "contract register", "contracts register", "agreements", "licences",
              "procurement"),
    description="One row a contract, linked to a system by its id or name.",
)

INTEGRATIONS = Table(
    "integrations", "Integrations",
    (
        _ORG,
        Field("source", "text", "The system data comes from (system_id or name).", required=True,
              synonyms=("from", "source system", "from system", "system", "system a", "upstream",
                        "sending system", "producer"),
              example=("CCC-002", "CCC-001")),
        Field("target", "text", "The system data goes to (system_id or name).", required=True,
              synonyms=("to", "target system", "to system", "destination", "system b", "downstream",
                        "receiving system", "consumer"),
              example=("Revenues and Benefits", "CCC-002")),
        Field("target_organisation", "text",
              "The organisation that runs the target, when it is not the same one.",
              synonyms=("target organisation name", "to organisation", "target org",
                        "target organization", "other organisation"),
              example=("", "")),
        Field("method", "text", "How data moves (API, file transfer, manual...).",
              synonyms=("type", "integration type", "mechanism", "interface type", "protocol", "technology"),
              example=("file transfer", "API")),
        Field("frequency", "text", "How often (real time, daily...).",
              synonyms=("schedule", "how often", "timing"),
              example=("daily", "real time")),
    ),
    synonyms=("integration", "interfaces", "interface", "data flows", "dataflows", "feeds", "connections"),
    description="One row a data flow between two systems.",
)

SITES = Table(
    "sites", "Sites",
    (
        _ORG,
        Field("site", "text", "The data centre or server room.", required=True,
              synonyms=("site name", "name", "data centre", "datacentre", "data center", "location",
                        "facility", "building"),
              example=("Civic Centre server room", "Kendal DC")),
        Field("site_type", "text", "Data centre, server room, colocation or cloud region.",
              synonyms=("type", "kind", "facility type", "site kind"),
              example=("server room", "data centre")),
        Field("annual_cost", "money", "What the site costs a year to run (power, space, staff, lease).",
              unit="GBP a year",
              synonyms=("cost", "annual running cost", "running cost", "total cost", "annual spend",
                        "cost pa", "run cost"),
              example=(80000, 250000)),
        Field("racks", "count", "How many racks it has.", unit="racks",
              synonyms=("rack count", "number of racks", "capacity racks", "racks total", "capacity"),
              example=(4, 20)),
        Field("utilisation", "percent", "How full it is, as a percentage.", unit="fraction",
              synonyms=("utilization", "usage", "percent used", "occupancy", "rack utilisation",
                        "utilisation percent", "used"),
              example=("35%", "70%")),
        Field("contract_end", "date", "When a lease or colocation contract ends.",
              synonyms=("lease end", "end date", "contract end date", "expiry"),
              example=("2028-03-31", "")),
        Field("exit_cost", "money", "One-off cost of closing the site.", unit="GBP once",
              synonyms=("closure cost", "decommissioning cost", "exit costs"),
              example=(30000, 100000)),
    ),
    synonyms=("site", "data centres", "datacentres", "data centers", "hosting sites", "server rooms",
              "locations", "facilities"),
    description="One row a data centre or server room.",
)

ORGANISATIONS = Table(
    "organisations", "Organisations",
    (
        Field("organisation", "text", "The organisation's name as used in the other sheets.", required=True,
              synonyms=_ORG.synonyms + ("name",),
              example=("Carlisle City Council", "Allerdale Borough Council")),
        Field("short_name", "text", "A short name for charts.",
              synonyms=("abbreviation", "short", "code", "acronym"), example=("Carlisle", "Allerdale")),
        Field("sector", "text", "County, district, unitary, NHS trust, police, fire, housing...",
              synonyms=("type", "organisation type", "kind", "tier", "body type"),
              example=("district council", "district council")),
        Field("employees", "count", "How many staff it employs.", unit="people",
              synonyms=("staff", "headcount", "fte", "number of staff", "staff numbers"),
              example=(650, 420)),
        Field("successor", "text",
              "The authority it becomes part of under reorganisation, if any; an organisation divided "
              "between successors names each of them, separated by ';'.",
              synonyms=("successor authority", "new authority", "merges into", "successor organisation",
                        "becomes", "future authority"),
              example=("Cumberland Council", "Cumberland Council")),
        Field("vesting_date", "date", "When the successor authority takes over.",
              synonyms=("vesting", "vesting day", "go live", "merger date"),
              example=("2023-04-01", "2023-04-01")),
    ),
    synonyms=("organisation", "organizations", "organization", "partners", "bodies", "members", "orgs"),
    description="One row an organisation: optional, for names, sectors and reorganisation.",
)

TABLES: dict[str, Table] = {t.key: t for t in (SYSTEMS, CONTRACTS, INTEGRATIONS, SITES, ORGANISATIONS)}
"""Every inventory table by key, Systems first."""
