"""Match each system to the product, vendor and capability it is, with a confidence.

:func:`match_systems` reads the ``product``, ``vendor``, ``system`` and
``capability`` cells of an inventory's systems, as people typed them, and
decides for every system which catalogue product it runs, who supplies it
today and what it is for. Each decision carries a confidence in [0, 1] and
the method that made it, so a consultant can see which matches to check, and
:func:`review_table` lists the doubtful ones in the form of a mapping file
that, once corrected, :func:`read_mapping` reads back to override them.

How a product cell is read
--------------------------
1. **Splitting.** A cell may list several products. It is always split on
   ``;`` and on line breaks (the reader keeps them), and on ``,``, ``/``,
   ``+``, ``&``, ``and``, ``plus``, ``with`` and a spaced dash outside
   brackets, unless the whole cell, as written or without its version, is a
   catalogue name: catalogue names win (``"Veeam Backup & Replication"``,
   ``"Civica Pay / Paris"``). Adjacent pieces that together are a catalogue
   name stay together; two pieces joined by ``&``, ``+``, ``and``, ``plus``,
   ``with`` or a dash stay together when neither is a known product nor
   something else than a product (``"Marks & Spencer"`` is one unknown
   product, ``"Frobber and Tableau"`` two). Each piece that names a product,
   known or not, becomes one system citing the row (see
   :func:`match_systems` for its key and costs); parts naming the same
   product are kept once. A piece that is not read as a product — a version
   (``"v5"``), a qualifier (``"Adults"``, ``"test"``), a placeholder
   (``"n/a"``), a vendor's or a capability's name (``"Capita Academy,
   Revenues"``) — is recorded in ``match_note`` and reported by
   :func:`match_issues`: nothing is dropped in silence. **A suite with its
   members in brackets** (``"Microsoft 365 suite (Teams, SharePoint,
   Outlook)"``) is read as the suite, because one contract buys it; the
   members are noted. When the text outside the brackets is not a known
   product and the members include one (``"Video calls (Teams, Zoom)"``),
   the members are the products and the heading is noted.
2. **Normalising.** Text is compared as lower-case letters and digits, as
   :func:`estate.schema.normalise_header` does. Besides the text as written,
   the forms tried remove versions (``v7``, ``7.2``, ``2019``, ``Release 5``,
   ``Milestone 4``, ``SP2``, ``version-6``), a vendor's name at the start or
   the end (``"Idox Uniform"``, ``"Uniform - Idox"``, ``"MS Teams"``),
   filler words (``system``, ``software``, ``module``, ``suite``...),
   edition words (``Enterprise``, ``Cloud``, ``SaaS``, ``Online``,
   ``Hosted``, ``Professional``...) and a trailing number (``"Docman 7"``);
   words glued together (``"GoogleDrive2021"``) are also split, and text in
   brackets is tried last. Each removal costs one; the cheapest form that is
   a catalogue name or alias wins, and between equals a version goes first,
   then a vendor, filler, an edition, a number. A vendor's name that is also
   a product's alias (``Docman``, ``EMIS``) is removed only at extra cost.
   So an edition the catalogue names as a product of its own stays that
   product: ``"SharePoint Online"`` and ``"Exchange Online"`` are the online
   services, ``"SharePoint 2019"`` and ``"Exchange"`` the on-premises
   servers, and ``"MS Exchange Online"`` loses ``MS`` before ``Online``;
   while ``"Uniform Cloud"`` is Uniform.
3. **Exact alias** (confidence 1.0). At each form, the product of the vendor
   the vendor cell names comes first, so that ``"Athena"`` from K2 Medical
   Systems is K2 Athena, not the police system, and ``"Vision"`` from INPS
   is Vision GP. A match whose catalogue vendor contradicts a known,
   non-reseller vendor cell gets confidence 0.9.
4. **Fuzzy** (confidence ``0.9 x similarity``). The normalised forms still
   unknown are compared, once each, with every catalogue alias of a
   compatible length by optimal string alignment (a transposition counts as
   one typing error), through :func:`rapidfuzz.process.cdist`. A match is
   accepted only if

   * the similarity is at least ``fuzzy_threshold`` and the edits fit the
     length: none under 6 characters, 1 up to 9, 2 up to 14, then 3;
   * it beats the best alias of any *other* product by
     :data:`FUZZY_MARGIN`;
   * the two differ in letters, not only in digits (``"Sage 300"`` is not
     ``"Sage 200"``; ``"Synapse"`` is not ``"Synapse 5"``);
   * the text is not a name the catalogue shares between products and so
     leaves unmatched (a leading or trailing word of aliases of two or more
     products, such as ``Vision``, ``Horizon``, ``Symphony``, ``Synapse``);
   * a known, non-reseller vendor cell does not name another vendor.

5. **Unlisted** (confidence 0.3). Anything else is a product of its own,
   ``product_id`` ``"unlisted:<normalised name>"``: versions, editions,
   filler words and a vendor's name removed (a vendor of the vendor list, the
   row's vendor cell, or a vendor another row's vendor cell names), unless
   what is left names a capability. So the same unknown product groups
   across organisations but is never forced onto the nearest catalogue
   entry: a wrong merge costs more than a missed one. For the same reason
   a name that rows of two or more different vendors share is split by
   vendor, ``"unlisted:<name>@<vendor>"`` (``Vodafone Corporate`` and ``BT
   Corporate`` are two products); its rows without a vendor keep
   ``"unlisted:<name>"``.
6. **In-house** (confidence 1.0): a product or vendor cell saying
   ``in-house``, ``bespoke``, ``internally developed``, ``own build``,
   ``home grown``... gives ``product_id`` ``"in-house:<system_key>"``,
   never grouped with another system.
7. **No product** (confidence 0.0): a blank cell, a placeholder (``N/A``,
   ``TBC``, ``various``, ``unknown``, ``none``, ``-``), a vendor's name
   alone (``"Capita"``) or a capability rather than a product
   (``"Finance system"``, ``"CRM"``). The product is then **read from the
   system name** (at 0.8 times the confidence): the name as written, then its
   pieces cut at separators outside brackets, a trailing ``for ...`` phrase
   dropped, bracketed text after the rest, each also without the qualifiers
   organisations add — a department or service (``- Adults``,
   ``(Finance)``, ``Custody``), a site, an environment (``test``, ``live``),
   a year, a version: ``"Microsoft Power BI - Custody"``, ``"Payroll
   (iTrent)"``, ``"Servicenow test"``. Each is tried by exact alias, then
   fuzzily with the rules of step 4. A name that matches nothing becomes an
   ``unlisted:`` product (confidence 0.24) that groups with the same name
   elsewhere, unless every word of it is generic (a capability's words,
   ``portal``, ``database``, qualifiers): a system named after what it does
   (``"Payroll"``, ``"Council Tax Portal"``) has no product, and a product
   read from a piece of the system name is refused when the capability cell
   names an unrelated capability (a whole name that is a product's own name
   with its maker's, ``"Microsoft 365"``, is kept whatever the capability cell says). Otherwise ``product_id`` is missing, and
   :func:`no_product_counts` and :func:`match_issues` say how many such
   systems each organisation has: they cannot be a shared platform.

**Review.** ``needs_review`` is true for every match a person should see
whatever its confidence: fuzzy ones, unlisted ones, and exact ones reached by
removing words other than a version or the product's own vendor's name
(``"Dragon Professional"`` would be Dragon Medical One without ``Professional``
if the catalogue lacked it; ``"Uniform Cloud"``). A match reached by removing
a vendor's name must belong to that vendor or a reseller: ``"Adobe Connect"``
is not NEC Connect, it is an unlisted product. :func:`review_table` lists
them all.

The vendor is the catalogue product's vendor when there is one, else the
vendor cell through :func:`estate.reference.vendor_lookup` (former names and
acquisitions followed: ``"Northgate"`` is NEC Software Solutions), else the
vendor cell as written.

How the capability is decided
-----------------------------
* **From the input's capability text**: the capability cell through
  :func:`estate.reference.capability_lookup` as written, with abbreviations
  spelt out (``mgmt``, ``admin``, ``revs``...), without trailing or other
  filler words, or its code (confidence 1.0); its parts (``"HR/Payroll"``,
  adjacent parts kept together where together they are a name) when all
  are known (1.0 for one capability, 0.7 for several); a fuzzy match of the
  unique texts against capability names and synonyms, with the rules of
  step 4 and the same first letter (``costing`` is not ``hosting``)
  (``0.9 x similarity``); the longest name inside the text when it
  is one capability's and covers 40% of the text (``"Car parking"``), or the
  parts that are known (0.6). When the capability cell is blank, a product
  cell naming a capability, or failing everything else the system name, is
  read the same way (system name at 0.8 times the confidence). A council
  function that the taxonomy says is served by a cross-sector capability
  (``ESD-116`` Finance is served by ``CORP-FIN``) is read as that capability.
* **Inferred from the product** (confidence ``0.8 x product confidence``):
  the catalogue product's default capability.
* The text wins when it matches exactly. When text and product name
  related capabilities (one an ancestor of the other), the more specific one
  is kept (``"Health and social care"`` with Liquidlogic LCS gives
  children's social care). Otherwise the more confident of a text that did
  not match exactly and the product's capability wins. In a split cell, the text applies to the parts whose
  product agrees with it or has no capability; the other parts keep their
  product's.
* **Unmatched** (confidence 0) otherwise.

``match_confidence`` is the smaller of the two confidences.

A mapping file overrides all of this (method ``"user override"``,
confidence 1.0), see :func:`read_mapping`.

Examples
--------
>>> import pandas as pd
>>> systems = pd.DataFrame({
...     "system_key": ["Eden/1", "Eden/2", "Carlisle/1"],
...     "organisation": ["Eden", "Eden", "Carlisle"],
...     "system": ["Finance", "Comms", "Ledger"],
...     "vendor": ["Agresso", None, "Unit 4"],
...     "product": ["Agresso Business World v7", "Microsoft Teams; Mitel MiVoice", "U4BW"],
...     "capability": ["Finance", "Telephony", None],
...     "annual_cost": [100_000.0, 30_000.0, 90_000.0]})
>>> matched = match_systems(systems)
>>> matched[["system_key", "product_id", "vendor_name", "capability_code", "annual_cost"]]
   system_key        product_id vendor_name capability_code  annual_cost
0      Eden/1         unit4-erp       Unit4        CORP-FIN     100000.0
1      Eden/2   microsoft-teams   Microsoft       XC-COLLAB      15000.0
2    Eden/2~2  mivoice-business       Mitel    XC-TELEPHONY      15000.0
3  Carlisle/1         unit4-erp       Unit4        CORP-FIN      90000.0
>>> matched[["product_method", "capability_method", "match_confidence"]].iloc[[0, 3]]
  product_method                 capability_method  match_confidence
0    exact alias  from the input's capability text               1.0
3    exact alias         inferred from the product               0.8
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from estate._collector import collector_paused
from estate.coverage import CAPABILITY_SEPARATOR, product_modules, split_capabilities
from estate.errors import InputFileError, NotASpreadsheetError, ParameterError
from estate.reference import (
    _alias_keys,
    _capability_keys,
    _vendor_keys,
    load_capabilities,
    load_catalogue,
    load_vendors,
)
from estate.schema import SYSTEMS, is_vendor_product_heading, normalise_header

__all__ = [
    "CAPABILITY_METHODS",
    "FUZZY_MARGIN",
    "MAPPING_COLUMNS",
    "MATCH_COLUMNS",
    "PRODUCT_METHODS",
    "match_issues",
    "match_systems",
    "no_product_counts",
    "read_mapping",
    "review_table",
    "split_products",
]

PathLike = str | Path
Reference = pd.DataFrame | PathLike | None

PRODUCT_METHODS = ("user override", "exact alias", "fuzzy", "unlisted", "in-house", "no product")
"""Values of ``product_method``, from the most to the least certain."""

CAPABILITY_METHODS = ("user override", "from the input's capability text", "inferred from the product",
                      "unmatched")
"""Values of ``capability_method``."""

MATCH_COLUMNS = ("split_from", "matched_text", "product_id", "product_name", "product_family", "vendor_name",
                 "capability_code", "capability_name", "product_confidence", "product_method",
                 "capability_confidence", "capability_method", "match_confidence", "needs_review", "match_note",
                 "capability_codes", "module_codes", "capability_note")
"""Columns :func:`match_systems` adds after the input's columns."""

MAPPING_COLUMNS = ("raw_text", "product", "vendor", "capability")
"""Columns of a mapping file, in order."""

FUZZY_MARGIN = 0.05
"""How much a fuzzy match must beat the best alias of any other product by."""

UNLISTED_CONFIDENCE = 0.3
VENDOR_CONFLICT_CONFIDENCE = 0.9
FUZZY_SCALE = 0.9
SYSTEM_NAME_FACTOR = 0.8
PREFIX_CONFIDENCE = 0.8
"""Confidence (before :data:`SYSTEM_NAME_FACTOR`) of a product read from the start of a system name whose other
words name no product (``SystmOne Child Health``): the product is named exactly, the rest is the organisation's."""
INFERRED_FACTOR = 0.8
SYSTEM_NAME_FUZZY = 0.9
WEAK_TEXT_CONFIDENCE = 0.6

_METHOD_OVERRIDE, _METHOD_EXACT, _METHOD_FUZZY, _METHOD_UNLISTED, _METHOD_INHOUSE, _METHOD_NONE = PRODUCT_METHODS
_CAP_OVERRIDE, _CAP_TEXT, _CAP_PRODUCT, _CAP_UNMATCHED = CAPABILITY_METHODS

# --------------------------------------------------------------------------- text rules

_WORD = re.compile(r"[a-z0-9]+")
_BRACKETS = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]?")
_VERSION = re.compile(
    r"\b(?:v|ver|version|release|rel|milestone|build|sp|service[\s_-]+pack|update|patch|r)[.\s_-]?\d+"
    r"(?:[.\-_](?:\d+|x+))*[a-z]?\b"
    r"|\b\d+(?:\.(?:\d+|x+))+[a-z]?\b"  # "7.2", "10.x", "4.10.x", "22.xx" (a version with wildcards)
    r"|\b\d+x\b"  # "12x"
    r"|\b(?:19[89]\d|20[0-4]\d)(?:_(?:\d+|x))?\b",  # "2019", "2020_03"
    re.IGNORECASE,
)
_EDITION_WORDS = frozenset(
    "enterprise professional pro standard premium premier cloud saas online hosted edition onprem "
    "onpremise onpremises lite express essentials x64 64bit 32bit".split()
)
_FILLER_WORDS = frozenset(
    "system systems software application applications solution solutions platform module modules "
    "suite package tool tools licence licences license licenses subscription product products the "
    "ltd limited plc inc".split()
)
_FILLER_OR_EDITION = _EDITION_WORDS | _FILLER_WORDS
_LEGAL_WORDS = frozenset("ltd limited plc inc llc gmbh uk group corporation corp co company".split())
_HARD_SPLIT = re.compile(r"\s*(?:;|\r\n|\r|\n)\s*")
_SOFT_SPLIT = re.compile(r"\s*(?:,|/|\+|&|\||\band\b|\bplus\b|\bwith\b)\s*|\s+[-\u2013\u2014]+\s+", re.IGNORECASE)
_IN_HOUSE = re.compile(
    r"\b(?:in[\s-]*house|bespoke|internal(?:ly)?[\s-]+(?:developed|built|build)|developed[\s-]+internally"
    r"|own[\s-]+(?:build|built|developed)|home[\s-]*grown|custom[\s-]+(?:built|build|developed)"
    r"|self[\s-]+(?:built|developed)|built[\s-]+in[\s-]*house)\b",
    re.IGNORECASE,
)
_PLACEHOLDERS = frozenset(
    "na notapplicable none nil various varies multiple tbc tbd tba unknown notknown unk nk other others "
    "n x no dontknow notsure seenotes null nan".split()
) | {""}
_ABBREVIATIONS = {"mgmt": "management", "mgt": "management", "admin": "administration", "info": "information",
                  "govt": "government", "dept": "department", "revs": "revenues", "bens": "benefits",
                  "svc": "service", "svcs": "services"}
_CAPABILITY_FILLER = frozenset(
    "system systems software solution solutions platform tool tools application applications app the "
    "service services team function".split()
)
_WEAK_SEPARATOR = re.compile(r"^\s*(?:&|\+|and|plus|with|[-\u2013\u2014]+)\s*$", re.IGNORECASE)
_QUALIFIER_WORDS = frozenset(
    "adults adult childrens children child young people families family schools school pupils students "
    "corporate council councils county district borough city town north south east west central northern "
    "southern eastern western test testing live prod production dev development uat training train sandbox "
    "staging preprod demo legacy old new archive archived dr primary secondary dept department departments "
    "directorate directorates division instance tenant site sites hq campus hospital hospitals ward wards "
    "area areas region regional office offices use usage users only internal external "
    "windows mac macos macintosh osx linux unix ios android win x64 x86".split()
)
_DEPARTMENT_WORDS = _QUALIFIER_WORDS | frozenset(
    "custody revenues benefits housing highways waste education libraries library leisure licensing "
    "environmental parking coroners registrars elections services service team social care".split()
)
_FOR_PHRASE = re.compile(r"\s+-?\s*(?:for|in|at)\s+(?!.*\b(?:for|in|at)\s)(.+)$", re.IGNORECASE)
_GENERIC_WORDS = frozenset(
    "portal portals database databases db web website websites site online app apps application applications "
    "system systems software tool tools solution solutions platform service services management manager "
    "records record data access spreadsheet spreadsheets register registers tracker tracking log logs "
    "request requests request form forms report reports reporting information info line lines booking "
    "bookings book case cases casework team unit units office centre center hub gateway network "
    "my our e i the and of for to a an on in at with by new old main core".split()
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_SERVED_BY = re.compile(r"Systems serving it across sectors:\s*([A-Z]+-[A-Z0-9]+)")


def _words(text: str) -> list[str]:
    """Lower-case words of ``text``: letters and digits, ``&`` read as ``and``."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return _WORD.findall(text)


def _join(words: Sequence[str]) -> str:
    return "".join(words)


_LETTER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")


def _has_letter(key: str) -> bool:
    return _LETTER.search(key) is not None


def _meaningful(words: Sequence[str]) -> bool:
    """Whether words can name a product: a word with a letter that is not an edition or filler word."""
    for w in words:
        if w not in _EDITION_WORDS and w not in _FILLER_WORDS and _LETTER.search(w) is not None:
            return True
    return False


def _allowed_edits(length: int) -> int:
    """How many typing errors a fuzzy match may hold for a key of ``length`` characters."""
    if length < 6:
        return 0
    if length <= 9:
        return 1
    if length <= 14:
        return 2
    return 3


def _letters(key: str) -> str:
    return "".join(c for c in key if not c.isdigit())


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return not str(value).strip()


def _text(value: object) -> str:
    """A cell as trimmed text, blank for missing."""
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)


def _hard_parts(text: str) -> list[str]:
    if ";" not in text and "\n" not in text and "\r" not in text:
        return [text] if text.strip() else []
    return [part for part in _HARD_SPLIT.split(text) if part.strip()]


def _soft_parts(text: str) -> list[str]:
    return [part.strip() for part in _SOFT_SPLIT.split(text) if part.strip()]


# --------------------------------------------------------------------------- reference data


@dataclass
class _Reference:
    """The catalogue, vendors and capabilities turned into lookups for matching."""

    product_ids: list[str]
    product_names: list[str]
    product_vendors: list[str]
    product_capabilities: list[int]
    alias: dict[str, int]
    composite: dict[tuple[str, str], int]
    ambiguous: frozenset[str]
    fuzzy_keys: list[str]
    fuzzy_products: np.ndarray
    vendor: dict[str, str]
    vendor_heads: frozenset[str]
    vendor_tails: frozenset[str]
    resellers: frozenset[str]
    capability_codes: list[str]
    capability_names: list[str]
    capability_index: dict[str, int]
    capability_key: dict[str, int]
    capability_fuzzy_keys: list[str]
    capability_fuzzy_codes: np.ndarray
    ancestors: list[frozenset[int]]
    generic_words: frozenset[str] = frozenset()  # words of capabilities and qualifiers: a name of only these is generic
    capability_words: frozenset[str] = frozenset()  # the words of the capabilities' names and synonyms
    product_families: list[str] = field(default_factory=list)  # the family id of each product ("" for itself)


def _as_frame(value: Reference, loader: Any, **kwargs: Any) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for column in ("aliases", "synonyms", "former_names"):
            if column in frame.columns:
                frame[column] = frame[column].map(
                    lambda cell: tuple(cell) if isinstance(cell, (tuple, list))
                    else tuple(p.strip() for p in str(cell if not _is_blank(cell) else "").split("|") if p.strip()))
        for column in frame.columns:
            if column not in ("aliases", "synonyms", "former_names"):
                frame[column] = frame[column].map(_text)
        return frame
    return loader(value, **kwargs) if value is not None else loader(**kwargs)


_DEFAULT_REFERENCE: list[_Reference] = []


def _reference(catalogue: Reference, vendors: Reference, capabilities: Reference) -> _Reference:
    """Build (or reuse, for the packaged data) the lookups matching needs."""
    packaged = catalogue is None and vendors is None and capabilities is None
    if packaged and _DEFAULT_REFERENCE:
        return _DEFAULT_REFERENCE[0]
    caps = _as_frame(capabilities, load_capabilities)
    vends = _as_frame(vendors, load_vendors)
    if isinstance(catalogue, pd.DataFrame) or catalogue is None and packaged:
        cat = _as_frame(catalogue, load_catalogue)
    else:
        cat = load_catalogue(catalogue,
                             capabilities=capabilities if isinstance(capabilities, (str, Path)) else None,
                             vendors=vendors if isinstance(vendors, (str, Path)) else None)
    built = _build_reference(cat, vends, caps)
    if packaged:
        _DEFAULT_REFERENCE.append(built)
    return built


def _build_reference(cat: pd.DataFrame, vends: pd.DataFrame, caps: pd.DataFrame) -> _Reference:
    codes = list(caps["code"])
    index = {code: i for i, code in enumerate(codes)}
    served = {}
    for code, description in zip(caps["code"], caps.get("description", pd.Series([""] * len(caps)))):
        found = _SERVED_BY.search(description or "")
        if found and found.group(1) in index:
            served[code] = found.group(1)
    capability_key = {key: index[served.get(code, code)] for key, code in _capability_keys(caps).items()
                      if code in index}
    parents = dict(zip(caps["code"], caps["parent"]))
    ancestors = []
    for code in codes:
        chain = set()
        parent = parents.get(code, "")
        while parent and parent in index and index[parent] not in chain:
            chain.add(index[parent])
            parent = parents.get(parent, "")
        ancestors.append(frozenset(chain))
    fuzzy_caps = sorted(key for key in capability_key if len(key) >= 4)

    vendor = _vendor_keys(vends)
    vendor_words = [_words(name) for row in zip(vends["vendor"], vends["aliases"], vends["former_names"])
                    for name in (row[0], *row[1], *row[2])]
    resellers = frozenset(name for name, notes in zip(vends["vendor"], vends.get("notes", [""] * len(vends)))
                          if str(notes).lower().startswith("reseller"))
    alias_ids = _alias_keys(cat)
    ids = list(cat["product_id"])
    pindex = {pid: i for i, pid in enumerate(ids)}
    alias = {key: pindex[pid] for key, pid in alias_ids.items()}
    for pid in ids:  # a product is also known by its id ("unit4-erp")
        alias.setdefault(normalise_header(pid), pindex[pid])
    product_vendor = [vendor.get(normalise_header(v), v) for v in cat["vendor"]]

    composite: dict[tuple[str, str], int] = {}
    clash: set[tuple[str, str]] = set()
    heads: dict[str, set[int]] = {}
    for i, (product, aliases) in enumerate(zip(cat["product"], cat["aliases"])):
        for name in (product, *aliases):
            words = _words(_BRACKETS.sub(" ", name))
            if len(words) < 2:
                continue
            heads.setdefault(words[0], set()).add(i)
            heads.setdefault(words[-1], set()).add(i)
            for cut in range(1, len(words)):
                for prefix, rest in ((words[:cut], words[cut:]), (words[cut:], words[:cut])):
                    owner = vendor.get(_join(prefix))
                    if owner is None or not _meaningful(rest) or _join(rest) in vendor:
                        continue
                    pair = (owner, _join(rest))
                    if composite.get(pair, i) != i:
                        clash.add(pair)
                    composite[pair] = i
    for pair in clash:
        del composite[pair]
    ambiguous = frozenset(word for word, owners in heads.items()
                          if len(owners) > 1 and word not in alias and len(word) >= 4)
    fuzzy_keys = sorted(key for key in alias if len(key) >= 4)
    return _Reference(
        product_ids=ids,
        product_names=list(cat["product"]),
        product_vendors=product_vendor,
        product_capabilities=[index.get(served.get(c, c), -1) for c in cat["capability"]],
        alias=alias,
        composite=composite,
        ambiguous=ambiguous,
        fuzzy_keys=fuzzy_keys,
        fuzzy_products=np.array([alias[key] for key in fuzzy_keys], dtype=np.int64),
        vendor=vendor,
        vendor_heads=frozenset(w[0] for w in vendor_words if w),
        vendor_tails=frozenset(w[-1] for w in vendor_words if w),
        resellers=resellers,
        capability_codes=codes,
        capability_names=list(caps["name"]),
        capability_index=index,
        capability_key=capability_key,
        capability_fuzzy_keys=fuzzy_caps,
        capability_fuzzy_codes=np.array([capability_key[key] for key in fuzzy_caps], dtype=np.int64),
        ancestors=ancestors,
        product_families=[_text(f) for f in cat["family"]] if "family" in cat.columns else [""] * len(ids),
        generic_words=frozenset(w for name in (*caps["name"], *(a for syn in caps["synonyms"] for a in syn))
                                for w in _words(name)) | _GENERIC_WORDS | _QUALIFIER_WORDS | _FILLER_OR_EDITION,
        capability_words=frozenset(w for name in (*caps["name"], *(a for syn in caps["synonyms"] for a in syn))
                                   for w in _words(name)),
    )


# --------------------------------------------------------------------------- fuzzy matching


def _fuzzy(queries: list[str], keys: list[str], owners: np.ndarray, threshold: float,
           chunk: int = 4096, *, same_first: bool = False) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Best owner and similarity of each query, or -1 where no match passes the rules.

    Compares the unique ``queries`` with the keys by
    :func:`rapidfuzz.process.cdist` (optimal string alignment, normalised),
    queries of one length at a time against the keys whose length could
    reach the score floor, then applies the length, margin and digits rules.
    With ``same_first`` a match must also begin with the query's first letter:
    a typing error seldom changes it, another word often does (``costing`` is
    not ``hosting``).
    """
    best_owner = np.full(len(queries), -1, dtype=np.int64)
    best_score = np.zeros(len(queries), dtype=np.float64)
    best_key = [""] * len(queries)
    if not queries or not keys:
        return best_owner, best_score, best_key
    floor = max(0.05, min(threshold, 0.75) - FUZZY_MARGIN)
    order = np.argsort([len(k) for k in keys], kind="stable")
    keys = [keys[i] for i in order]
    owners = owners[order]
    key_lengths = np.array([len(k) for k in keys])
    lengths = np.array([len(q) for q in queries])
    for length in np.unique(lengths):
        allowed = _allowed_edits(int(length))
        if allowed == 0:
            continue
        required = max(threshold, 1.0 - allowed / length) - 1e-9
        low = int(np.searchsorted(key_lengths, np.ceil(floor * length), side="left"))
        high = int(np.searchsorted(key_lengths, np.floor(length / floor), side="right"))
        if low >= high:
            continue
        choices, choice_owners = keys[low:high], owners[low:high]
        members = np.flatnonzero(lengths == length)
        for start in range(0, len(members), chunk):
            rows = members[start:start + chunk]
            part = [queries[i] for i in rows]
            scores = process.cdist(part, choices, scorer=OSA.normalized_similarity, score_cutoff=floor,
                                   dtype=np.float32, workers=-1)
            index = np.arange(len(part))
            best = scores.argmax(axis=1)
            first = scores[index, best].astype(np.float64)
            owner = choice_owners[best]
            scores[choice_owners[None, :] == owner[:, None]] = 0.0
            second = scores.max(axis=1).astype(np.float64)
            ok = (first >= required) & (first - second >= FUZZY_MARGIN - 1e-9)
            for i in np.flatnonzero(ok):
                if _letters(part[i]) == _letters(choices[best[i]]):
                    ok[i] = False  # only digits differ: another version or product, not a typing error
                elif same_first and part[i][:1] != choices[best[i]][:1]:
                    ok[i] = False
                else:
                    best_key[rows[i]] = choices[best[i]]
            best_owner[rows] = np.where(ok, owner, -1)
            best_score[rows] = np.where(ok, first, 0.0)
    return best_owner, best_score, best_key


# --------------------------------------------------------------------------- the matcher


@dataclass
class _Forms:
    """The normalised forms of one piece of product text."""

    keys: tuple[str, ...]  # to look up, most faithful first
    strict: tuple[str, ...]  # the text as written and without versions only: is the whole cell one name?
    fuzzy: tuple[str, ...]  # to compare fuzzily
    generic: tuple[str, ...]  # to check for a vendor's or a capability's name
    unversioned: tuple[str, ...]  # the words without versions, for an unlisted product's key
    vendor_prefix: str  # the vendor's name the text starts with, as a key ("" for none)
    in_house: bool
    placeholder: bool


@dataclass
class _Part:
    """One product decided for one query (a product cell and vendor cell, or a system name)."""

    text: str
    product: int  # index into the product table; -1 none; -2 in-house
    method: str
    confidence: float
    vendor: str | None
    matched_text: str
    capability: int = -1  # capability read from a product cell that names a capability
    override_capability: int = -1
    override_capabilities: tuple[int, ...] = ()
    override_vendor: str | None = None
    from_system_name: bool = False
    cell_vendor: str | None = None  # the vendor to fall back on if a system-name match is refused
    review: bool = False  # reached by removing words or by fuzzy distance: a person should see it
    notes: tuple[str, ...] = ()  # what of the row's product cell was not read as a product (first part only)


@dataclass
class _Override:
    product: int | None  # None: leave automatic; -1 no product; -2 in-house
    vendor: str | None
    capability: int
    source: str
    more: tuple[int, ...] = ()  # further products when the row maps a text to several ("Teams; Zoom")
    capabilities: tuple[int, ...] = ()  # every capability the row names ("CORP-FIN; CORP-HR"), the first first


@dataclass
class _Matcher:
    ref: _Reference
    threshold: float
    overrides: dict[str, _Override]
    product_ids: list[str] = field(default_factory=list)
    product_names: list[str] = field(default_factory=list)
    product_vendors: list[str | None] = field(default_factory=list)
    product_capabilities: list[int] = field(default_factory=list)
    named_by_user: set[int] = field(default_factory=set)
    unlisted: dict[str, int] = field(default_factory=dict)
    forms: dict[str, _Forms] = field(default_factory=dict)
    whole_keys: dict[str, str] = field(default_factory=dict)
    exact_memo: dict[tuple[str, str | None, str, bool], int] = field(default_factory=dict)
    input_vendors: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    fuzzy_result: dict[str, tuple[int, float, str]] = field(default_factory=dict)
    removals: dict[tuple[str, int], tuple[bool, bool]] = field(default_factory=dict)
    product_keys: dict[int, set[str]] = field(default_factory=dict)
    alias_keys: dict[int, list[str]] | None = None  # each catalogue product's alias keys, built when first asked

    def __post_init__(self) -> None:
        self.product_ids = list(self.ref.product_ids)
        self.product_names = list(self.ref.product_names)
        self.product_vendors = list(self.ref.product_vendors)
        self.product_capabilities = list(self.ref.product_capabilities)

    # ----- text forms

    def _strip_vendor(self, words: list[str], *, keep_products: bool = True) -> list[str]:
        """``words`` without a vendor's name at the start or the end, if a product name is left.

        With ``keep_products``, a vendor's name that is also a product's alias
        ("Docman", "EMIS") is kept: it may be the product itself.
        """
        if len(words) < 2:
            return words
        vendor, alias = self.ref.vendor, self.ref.alias
        if words[0] in self.ref.vendor_heads:
            for cut in range(len(words) - 1, 0, -1):
                head = _join(words[:cut])
                if head in vendor and not (keep_products and head in alias) and _meaningful(words[cut:]):
                    return words[cut:]
        if words[-1] in self.ref.vendor_tails:
            for cut in range(1, len(words)):
                tail = _join(words[cut:])
                if tail in vendor and not (keep_products and tail in alias) and _meaningful(words[:cut]):
                    return words[:cut]
        return words

    def _strip_glued_vendor(self, key: str) -> str:
        """A key without a known vendor's name glued to its start ("cambiohealthcaresystemscambiocosmic")."""
        vendor, alias = self.ref.vendor, self.ref.alias
        longest = self.__dict__.get("_longest_vendor")
        if longest is None:
            longest = self.__dict__["_longest_vendor"] = max(map(len, vendor), default=0)
        # No vendor's name is longer than the longest: the cuts past it cannot match (and would make a long
        # text quadratic, a slice a cut).
        for cut in range(min(len(key) - 3, longest), 3, -1):
            if key[:cut] in vendor and key[:cut] not in alias and _has_letter(key[cut:]):
                return key[cut:]
        return key

    def _variants(self, text: str) -> tuple[list[tuple[int, int, str]], list[str], list[str], list[list[str]]]:
        """Keys of ``text`` with what each removed, and its unversioned, barest and version-only lists.

        Each key costs one unit for every version, vendor name, filler, edition
        word or trailing number it removed; lookups try the cheapest first, and
        between equals prefer removing a version, then a vendor, then filler,
        then an edition, then a number.
        """
        whole = _words(text)
        bases = [(0, whole)]
        matches = list(_VERSION.finditer(text)) if _DIGIT.search(text) else []
        if len(matches) > 1:
            last = matches[-1]
            bases.append((1, _words(text[:last.start()] + " " + text[last.end():])))
        if matches:
            bases.append((len(matches), _words(_VERSION.sub(" ", text))))
        unversioned = bases[-1][1]
        found: list[tuple[int, int, str]] = []
        bare = unversioned
        strip = self._strip_vendor
        for cost, base in bases:
            stripped = strip(base)
            loose = strip(base, keep_products=False)
            vendors = [(0, base)]
            if stripped is not base:
                vendors.append((1, stripped))
            if loose is not base and loose != stripped:
                vendors.append((2, loose))
            for vendor_cost, words in vendors:
                options = [(0, 0, words)]
                if not _FILLER_OR_EDITION.isdisjoint(words):
                    no_filler = [w for w in words if w not in _FILLER_WORDS]
                    no_edition = [w for w in words if w not in _EDITION_WORDS]
                    fillers, editions = len(words) - len(no_filler), len(words) - len(no_edition)
                    if fillers:
                        options.append((fillers, 2 * fillers, no_filler))
                    if editions:
                        options.append((editions, 3 * editions, no_edition))
                    if fillers and editions:
                        options.append((fillers + editions, 2 * fillers + 3 * editions,
                                        [w for w in no_filler if w not in _EDITION_WORDS]))
                for extra, extra_tie, kept in options:
                    if not kept:
                        continue
                    units, ties = cost + vendor_cost + extra, vendor_cost + extra_tie
                    found.append((units, ties, "".join(kept)))
                    trimmed = kept
                    if len(kept) > 1 and kept[-1].isdigit():
                        trimmed = list(kept)
                        while len(trimmed) > 1 and trimmed[-1].isdigit():
                            trimmed.pop()
                        drop = len(kept) - len(trimmed)
                        found.append((units + drop, ties + 4 * drop, "".join(trimmed)))
                    if base is unversioned and vendor_cost < 2:
                        bare = trimmed
        return found, unversioned, bare, [b for _, b in bases]

    def text_forms(self, text: str) -> _Forms:
        found = self.forms.get(text)
        if found is not None:
            return found
        bracketed = "(" in text or "[" in text or "{" in text
        outside = _BRACKETS.sub(" ", text) if bracketed else text
        candidates, unversioned, bare, bases = self._variants(outside)
        if _CAMEL.search(outside):  # "GoogleDrive2021", "JACPharmacy10.2.1": words glued together
            spaced = _CAMEL.sub(" ", outside)
            spaced_words = _words(spaced)
            if spaced_words and (not _FILLER_OR_EDITION.isdisjoint(spaced_words)
                                 or spaced_words[0] in self.ref.vendor_heads
                                 or len(_VERSION.findall(spaced)) > len(_VERSION.findall(outside))):
                candidates.extend((units + 1, ties, key) for units, ties, key in self._variants(spaced)[0])
        whole = self.whole_key(text)
        candidates.append((0, -1, whole))
        glued = "".join(unversioned)
        if len(unversioned) == 1 and len(glued) >= 8:
            glued = self._strip_glued_vendor(glued)
            candidates.append((len(bases), 1, glued))
        if bracketed:
            # "Uniform (Idox)", "Finance (Agresso)"; after a vendor's name alone, only that vendor's
            # products: "Idox (Uniform)" is Uniform, "Arcus Global (Salesforce)" is not Salesforce.
            prefix = "".join(bases[0]) if self.ref.vendor.get("".join(bases[0])) else ""
            for match in _BRACKETS.finditer(text):
                if match.group(1).strip():
                    candidates.extend((units + 100, ties, prefix + key)
                                      for units, ties, key in self._variants(match.group(1))[0])
        candidates.sort(key=lambda item: (item[0], item[1]))
        keys = tuple(dict.fromkeys(key for _, _, key in candidates if key and not key.isdigit()))
        plain_unversioned = "".join(unversioned)
        no_vendor = self._strip_vendor(unversioned)
        vendor_prefix = ""
        if no_vendor is not unversioned and unversioned[-len(no_vendor):] == no_vendor:
            vendor_prefix = "".join(unversioned[:len(unversioned) - len(no_vendor)])
        plain = [w for w in unversioned if w not in _FILLER_OR_EDITION] or unversioned
        fuzzy = tuple(dict.fromkeys(k for k in (plain_unversioned, "".join(plain), "".join(no_vendor),
                                                "".join(bare), glued) if k and not k.isdigit()))
        no_filler = [w for w in unversioned if w not in _FILLER_WORDS] or unversioned
        outside_key = "".join(bases[0])
        generic = tuple(dict.fromkeys(k for k in (outside_key, plain_unversioned, "".join(no_filler),
                                                   "".join(self._strip_vendor(no_filler)),
                                                   "".join(w for w in unversioned if w not in _LEGAL_WORDS))
                                      if k and not k.isdigit()))
        strict = tuple(dict.fromkeys(k for k in (whole, *("".join(b) for b in bases)) if k and not k.isdigit()))
        forms = _Forms(keys=keys, strict=strict, fuzzy=fuzzy, generic=generic, unversioned=tuple(unversioned),
                       vendor_prefix=vendor_prefix,
                       in_house=bool(_IN_HOUSE.search(text)), placeholder=whole in _PLACEHOLDERS)
        self.forms[text] = forms
        return forms

    # ----- lookups

    def whole_key(self, text: str) -> str:
        """The text as written, as a key (brackets' words included)."""
        found = self.whole_keys.get(text)
        if found is None:
            found = self.whole_keys[text] = "".join(_words(text))
        return found

    def _lookup(self, key: str, vendor: str | None, vendor_key: str) -> int:
        """The product a key names: the vendor's own product of that name first, then any."""
        if vendor is not None:
            found = self.ref.composite.get((vendor, key))
            if found is not None:
                return found
        if vendor_key:
            found = self.ref.alias.get(vendor_key + key)
            if found is not None:
                return found
        return self.ref.alias.get(key, -1)

    def exact_text(self, text: str, vendor: str | None, vendor_key: str, *, strict: bool = False) -> int:
        """Catalogue product of a text by exact alias, or -1.

        The forms are tried from the least altered (see :meth:`_variants`);
        the text as written, and the commonest single edits (one version or
        a vendor's name removed), are tried before all forms are built.
        """
        memo = (text, vendor, vendor_key, strict)
        found = self.exact_memo.get(memo)
        if found is None:
            found = self.exact_memo[memo] = self._exact_text(text, vendor, vendor_key, strict)
        return found

    def _exact_text(self, text: str, vendor: str | None, vendor_key: str, strict: bool) -> int:
        found = self._lookup(self.whole_key(text), vendor, vendor_key)
        if found >= 0:
            return found
        forms = self.forms.get(text)
        if forms is None and "(" not in text and "[" not in text and "{" not in text:
            if _DIGIT.search(text):
                matches = _VERSION.findall(text)
                if len(matches) == 1:
                    found = self._lookup("".join(_words(_VERSION.sub(" ", text))), vendor, vendor_key)
                    if found >= 0:
                        return found
                    if strict:
                        return -1  # the strict forms are the text as written and without its version
                elif strict and not matches:
                    return -1
            elif strict:
                return -1
            words = _words(text)
            stripped = self._strip_vendor(words)
            if not strict and stripped is not words:
                found = self._lookup("".join(stripped), vendor, vendor_key)
                if found >= 0:
                    return found
        return self.exact(forms or self.text_forms(text), vendor, vendor_key, strict=strict)

    def exact(self, forms: _Forms, vendor: str | None, vendor_key: str, *, strict: bool = False) -> int:
        """Catalogue product of the text by exact alias, or -1: the first of its keys that names one."""
        for key in forms.strict if strict else forms.keys:
            found = self._lookup(key, vendor, vendor_key)
            if found >= 0:
                return found
        return -1

    def fuzzy(self, forms: _Forms) -> tuple[int, float]:
        """The best fuzzy match of a text's forms (computed in a batch beforehand), or (-1, 0)."""
        best, score = -1, 0.0
        missing = [k for k in forms.fuzzy if k not in self.fuzzy_result and len(k) >= 6 and k not in self.ref.ambiguous]
        if missing:  # a text not seen in the batch (a piece of a cell or of a system name): compare it now
            owners, scores, matched = _fuzzy(missing, self.ref.fuzzy_keys, self.ref.fuzzy_products, self.threshold)
            self.fuzzy_result.update(zip(missing, zip(owners.tolist(), scores.tolist(), matched)))
        for key in forms.fuzzy:
            if key in self.ref.ambiguous:
                return -1, 0.0
            found, similarity, alias = self.fuzzy_result.get(key, (-1, 0.0, ""))
            prefix = forms.vendor_prefix
            if found >= 0 and prefix and not key.startswith(prefix) \
                    and self.product_vendors[found] != self.ref.vendor.get(prefix):
                found = -1  # "Amazon Connecct" is not NEC Connect: the vendor's name says whose it is
            if found >= 0 and prefix and key.startswith(prefix) and alias.startswith(prefix):
                # "Capita OneEMS" is not "Capita SIMS": what follows a shared vendor name must match too
                rest, alias_rest = key[len(prefix):], alias[len(prefix):]
                allowed = _allowed_edits(len(rest))
                if not allowed or OSA.normalized_similarity(rest, alias_rest) < max(
                        self.threshold, 1.0 - allowed / len(rest)) - 1e-9:
                    found = -1
            if found >= 0 and similarity > score:
                best, score = found, similarity
        return best, score

    def removal(self, text: str, product: int) -> tuple[bool, bool]:
        """Whether an exact match of ``text`` to ``product`` removed another vendor's name, or other words.

        Returns ``(conflict, removed)``. The words of ``text`` (versions and
        brackets aside) are compared with the product's names: the longest
        run of them that is one of its names is what matched, and the words
        left over at either end are what was removed. A vendor's name left
        over must be the product's own vendor's (current, former, acquired) or
        a reseller's; another vendor's name is a *conflict* (``"Adobe
        Connect"`` is not NEC Connect). Any other word left over (an edition,
        a department, an environment) makes the match *removed*, to be
        reviewed (``"Dragon Professional"``); filler such as ``system`` or a
        trailing number does not.
        """
        memo = (text, product)
        found = self.removals.get(memo)
        if found is not None:
            return found
        found = self.removals[memo] = self._removal(text, product)
        return found

    def _removal(self, text: str, product: int) -> tuple[bool, bool]:
        if product < 0 or product >= len(self.ref.product_ids):
            return False, False
        keys = self.product_keys.get(product)
        if keys is None:
            if not self.product_keys:
                for key, owner in self.ref.alias.items():
                    self.product_keys.setdefault(owner, set()).add(key)
            keys = self.product_keys.setdefault(product, set())
        outside = _BRACKETS.sub(" ", text) if ("(" in text or "[" in text or "{" in text) else text
        words = _words(_VERSION.sub(" ", outside)) if _DIGIT.search(outside) else _words(outside)
        if not words or _join(words) in keys:
            return False, False
        n, span = len(words), None
        for size in range(n, 0, -1):
            for i in range(n - size + 1):
                if _join(words[i:i + size]) in keys:
                    span = (i, i + size)
                    break
            if span is not None:
                break
        if span is None:
            return False, True  # glued, bracketed or a vendor's own composite name: can't tell, so show it
        own = self.product_vendors[product]
        conflict = removed = False
        for leftover, from_start in ((words[:span[0]], True), (words[span[1]:], False)):
            while leftover:
                vendor = None
                for cut in range(len(leftover), 0, -1):
                    piece = leftover[:cut] if from_start else leftover[-cut:]
                    vendor = self.ref.vendor.get(_join(piece))
                    if vendor is None:
                        vendor = self.ref.vendor.get(_join(w for w in piece if w not in _LEGAL_WORDS))
                    if vendor is not None:
                        leftover = leftover[cut:] if from_start else leftover[:-cut]
                        break
                if vendor is not None:
                    if own is not None and vendor != own and vendor not in self.ref.resellers:
                        conflict = True
                    continue
                if any(w not in _FILLER_WORDS and not w.isdigit() for w in leftover):
                    removed = True
                break
        return conflict, removed

    def names_vendor(self, forms: _Forms) -> str | None:
        """The vendor a text names when it is only a vendor's name, else None."""
        for key in forms.generic:
            found = self.ref.vendor.get(key)
            if found is not None:
                return found
        return None

    def names_capability(self, forms: _Forms) -> int:
        for key in forms.generic:
            found = self.ref.capability_key.get(key)
            if found is not None:
                return found
        return -1

    def unknown_vendor_conflict(self, product: int, text: str, vendor: str | None, vendor_words: list[str]) -> bool:
        """Whether a supplier the vendor list does not know, given in the vendor cell, contradicts a product.

        A product cell that is one bare word naming a catalogue product without its maker's name (``Prism``,
        ``Assure``) beside a supplier that is neither that maker nor any vendor or reseller the list knows
        (``Synertec``, ``Evotix``) is that supplier's own product of the same name, not the catalogue's.
        Where the cell names the maker (``Microsoft 365`` from ``Phoenix Software``) the catalogue's holds.
        """
        if vendor is not None or not vendor_words or len([w for w in _words(text) if not w.isdigit()]) != 1:
            return False  # a name of several words ("HSS CRIS") is specific enough to stand
        maker = self.product_vendors[product]
        if maker is None:
            return False
        maker_words = {w for w in _words(maker) if w not in _LEGAL_WORDS}
        if maker_words & set(vendor_words) or maker_words & set(_words(text)):
            return False
        name_words = {w for w in _words(self.product_names[product] or "") if w not in _LEGAL_WORDS}
        if name_words & set(vendor_words):
            return False
        # A former maker the vendor list lacks may still be in the product's aliases ("3M Medicode").
        if self.alias_keys is None:
            keys: dict[int, list[str]] = {}
            for key, owner in self.ref.alias.items():
                keys.setdefault(owner, []).append(key)
            self.alias_keys = keys
        given = _join(vendor_words)
        return not any(key.startswith(given) for key in self.alias_keys.get(product, ()))

    def vendor_conflict(self, product: int, vendor: str | None) -> bool:
        return (vendor is not None and vendor not in self.ref.resellers
                and self.product_vendors[product] is not None and self.product_vendors[product] != vendor)

    def unlisted_product(self, forms: _Forms, text: str, vendor_words: list[str]) -> int:
        """The product an unknown text stands for, added to the product table."""
        return self.new_product(self.unlisted_key(forms, text, vendor_words), text, None)

    def unlisted_key(self, forms: _Forms, text: str, vendor_words: list[str]) -> str:
        """The key of an unknown product: its words without versions, vendor, editions and filler.

        A vendor is removed when it is the row's vendor cell, a vendor of the
        vendor list, or a vendor some other row of the input names
        (``input_vendors``), unless what is left names a capability.
        """
        words = list(forms.unversioned)
        known = [tuple(vendor_words)] if vendor_words else []
        if words:
            known += self.input_vendors.get(words[0], []) + self.input_vendors.get(words[-1], [])
        for vendor in known:
            size = len(vendor)
            if 0 < size < len(words):
                if tuple(words[:size]) == vendor and self._product_like(words[size:]):
                    words = words[size:]
                    break
                if tuple(words[-size:]) == vendor and self._product_like(words[:-size]):
                    words = words[:-size]
                    break
        stripped = self._strip_vendor(words)
        if self._product_like(stripped) and _join(stripped) not in self.ref.alias:
            words = stripped  # but "Adobe Connect" keeps Adobe: "Connect" alone is another vendor's product
        no_filler = [w for w in words if w not in _FILLER_WORDS] or words
        plain = [w for w in no_filler if w not in _EDITION_WORDS] or no_filler
        for candidate in (plain, no_filler, words):
            trimmed = list(candidate)
            while len(trimmed) > 1 and trimmed[-1].isdigit():
                trimmed.pop()
            key = _join(trimmed)
            if _has_letter(key) and key not in self.ref.vendor and key not in self.ref.capability_key:
                return key
        return _join(words) if _has_letter(_join(words)) else normalise_header(text)

    def _product_like(self, words: Sequence[str]) -> bool:
        """Whether words left after removing a vendor can name a product (not a capability's name)."""
        return _meaningful(words) and _join(words) not in self.ref.capability_key

    def new_product(self, key: str, name: str, vendor: str | None, *, by_user: bool = False) -> int:
        found = self.unlisted.get(key)
        if found is None:
            found = len(self.product_ids)
            self.unlisted[key] = found
            self.product_ids.append(f"unlisted:{key}")
            self.product_names.append(name)
            self.product_vendors.append(vendor)
            self.product_capabilities.append(-1)
        if by_user and found not in self.named_by_user:
            self.named_by_user.add(found)
            self.product_names[found] = name
            if vendor is not None:
                self.product_vendors[found] = vendor
        return found


def _vendor_of(ref: _Reference, text: str) -> tuple[str | None, str]:
    """Current vendor of a vendor cell (or None) and its normalised key."""
    if not text:
        return None, ""
    key = normalise_header(text)
    found = ref.vendor.get(key)
    if found is None:
        words = [w for w in _words(_BRACKETS.sub(" ", text)) if w not in _LEGAL_WORDS]
        found = ref.vendor.get(_join(words))
        key = _join(words) or key
    return found, key


# --------------------------------------------------------------------------- mapping files


_MAPPING_HEADERS = {
    "raw_text": ("rawtext", "text", "aswritten", "astyped", "original", "originaltext", "productcell", "key"),
    "product": ("product", "productname", "catalogueproduct", "productid"),
    "vendor": ("vendor", "vendorname", "supplier"),
    "capability": ("capability", "capabilitycode", "capabilityname", "function"),
}


def _read_rows(path: Path) -> list[list[str]]:
    """Rows of a CSV or the first (or "Mapping"/"Review") sheet of a workbook, as text."""
    from estate.safety import check_file

    kind = check_file(path)
    if kind == "csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        return [[_text(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                                      delimiter=delimiter)]
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        chosen = next((n for n in names if normalise_header(n) in ("mapping", "review", "matches")), names[0])
        data = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own errors for corrupt parts
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NotASpreadsheetError(path, f"corrupt workbook: {message}") from None
    return [[_text(cell) for cell in row] for row in data]


def read_mapping(path: PathLike) -> pd.DataFrame:
    """Read a mapping file that tells matching what some texts are.

    A mapping file is what :func:`review_table` writes, corrected by a person:
    one row a text, saying which product, vendor and capability it is. Pass
    it to :func:`match_systems` as ``mapping``; its decisions override the
    automatic ones (method ``"user override"``, confidence 1.0).

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.xlsx`` file (the sheet called ``Mapping`` or
        ``Review``, else the first) whose header row holds the columns of
        :data:`MAPPING_COLUMNS`:

        ``raw_text``
            The text as people typed it in the product cell (or, for a
            system with no product, the system name). Compared after
            normalising, so case and punctuation do not matter. Required.
        ``product``
            A catalogue product (its id, name or any alias), a new product's
            name, ``in-house``, or ``none`` for no product. Blank leaves the
            product to automatic matching.
        ``vendor``
            The vendor, for a new product or to correct one. Optional.
        ``capability``
            A capability code or name. Optional.

        Other columns (the suggestions and counts of :func:`review_table`)
        are ignored.

    Returns
    -------
    DataFrame
        Columns ``raw_text``, ``product``, ``vendor``, ``capability`` (text,
        blank as ``""``), ``source_file`` and ``source_row`` (the row as a
        spreadsheet numbers it), one row a non-blank line of the file.

    Raises
    ------
    InputFileError
        The file is missing, not a spreadsheet, or has no ``raw_text``
        column.
    ParameterError
        A row gives a product, vendor or capability without a ``raw_text``,
        or repeats a ``raw_text`` with a different answer. The message names
        the file, row and column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mapping.csv"
    >>> _ = path.write_text("raw_text,product,vendor,capability\\n"
    ...                     "Civica Pay / Paris,Civica Pay,,XC-PAY\\n"
    ...                     "Grants portal,Grants Hub,Acme Ltd,Grants and aid\\n", encoding="utf-8")
    >>> read_mapping(path)[["raw_text", "product", "capability", "source_row"]]
                 raw_text     product      capability  source_row
    0  Civica Pay / Paris  Civica Pay          XC-PAY           2
    1       Grants portal  Grants Hub  Grants and aid           3
    """
    path = Path(path)
    rows = _read_rows(path)
    header_at = next((i for i, row in enumerate(rows) if any(row)), None)
    if header_at is None:
        raise InputFileError(path, "the mapping holds no rows; it needs the columns raw_text, product, "
                                   "vendor and capability")
    header = [normalise_header(cell) for cell in rows[header_at]]
    columns: dict[str, int] = {}
    for name, words in _MAPPING_HEADERS.items():
        for j, cell in enumerate(header):
            if cell in words and j not in columns.values():
                columns[name] = j
                break
    if "raw_text" not in columns:
        raise InputFileError(path, f"row {header_at + 1}: no 'raw_text' column; a mapping needs the columns "
                                   "raw_text, product, vendor and capability")
    records = []
    seen: dict[str, tuple[int, tuple[str, str, str]]] = {}
    for i, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        values = {name: (row[j] if j < len(row) else "") for name, j in columns.items()}
        values = {name: values.get(name, "") for name in MAPPING_COLUMNS}
        if not any(values.values()):
            continue
        if not values["raw_text"]:
            filled = next(name for name in MAPPING_COLUMNS if values[name])
            raise ParameterError(f"{path.name}, row {i}, column 'raw_text': the cell is empty but "
                                 f"'{filled}' is given; write the text the answer is for.")
        key = normalise_header(values["raw_text"])
        answer = (values["product"], values["vendor"], values["capability"])
        if key in seen and seen[key][1] != answer:
            raise ParameterError(f"{path.name}, row {i}, column 'raw_text': '{values['raw_text']}' is also on "
                                 f"row {seen[key][0]} with a different answer; keep one of the two rows.")
        seen.setdefault(key, (i, answer))
        records.append({**values, "source_file": path.name, "source_row": i})
    frame = pd.DataFrame.from_records(records, columns=[*MAPPING_COLUMNS, "source_file", "source_row"])
    for name in MAPPING_COLUMNS + ("source_file",):
        frame[name] = frame[name].astype(object)
    frame["source_row"] = frame["source_row"].astype(np.int64)
    return frame


def _prepare_mapping(mapping: pd.DataFrame | PathLike | None, matcher: _Matcher) -> dict[str, _Override]:
    if mapping is None:
        return {}
    if not isinstance(mapping, pd.DataFrame):
        mapping = read_mapping(mapping)
    missing = [c for c in ("raw_text",) if c not in mapping.columns]
    if missing:
        raise ParameterError("mapping: column 'raw_text' is missing; a mapping needs the columns raw_text, "
                             "product, vendor and capability.")
    ref = matcher.ref
    overrides: dict[str, _Override] = {}
    for position, row in enumerate(mapping.to_dict("records")):
        raw = _text(row.get("raw_text"))
        if not raw:
            continue
        file_name = _text(row.get("source_file")) or "mapping"
        row_number = row.get("source_row", position + 2)
        where = f"{file_name}, row {row_number}"
        product_text = _text(row.get("product"))
        vendor_text = _text(row.get("vendor"))
        capability_text = _text(row.get("capability"))
        vendor, _ = _vendor_of(ref, vendor_text)
        vendor_name = vendor or (vendor_text or None)
        product: int | None = None
        more: tuple[int, ...] = ()
        if product_text:
            forms = matcher.text_forms(product_text)
            if forms.placeholder:
                product = -1
            elif forms.in_house:
                product = -2
            elif product_text.lower().startswith("unlisted:"):  # a suggested id copied into the product
                product = matcher.new_product(normalise_header(product_text[len("unlisted:"):]),
                                              product_text[len("unlisted:"):].strip(), vendor_name, by_user=True)
            else:
                found = ref.alias.get(normalise_header(product_text), -1)
                if found < 0:
                    found = matcher.exact(forms, vendor, "")
                if found < 0:
                    named = []  # a row may map a text to several products: "Microsoft Teams; Zoom"
                    pieces = [p for segment in _hard_parts(product_text) for p in _soft_parts(segment)]
                    if len(pieces) > 1:
                        for piece in pieces:
                            one = ref.alias.get(normalise_header(piece), -1)
                            if one < 0:
                                one = matcher.exact(matcher.text_forms(piece), vendor, "")
                            if one < 0:
                                one = matcher.new_product(matcher.unlisted_key(matcher.text_forms(piece), piece, []),
                                                          piece, vendor_name, by_user=True)
                            named.append(one)
                        named = list(dict.fromkeys(named))
                    if len(named) > 1:
                        found, more = named[0], tuple(named[1:])
                if found < 0:
                    key = matcher.unlisted_key(forms, product_text, [])
                    found = matcher.new_product(key, product_text, vendor_name, by_user=True)
                product = found
        capabilities: list[int] = []
        for part in split_capabilities(capability_text):  # a system may serve several: "CORP-FIN; CORP-HR"
            found = ref.capability_index.get(part.upper(), -1)
            if found < 0:
                found = ref.capability_key.get(normalise_header(part), -1)
            if found < 0:
                raise ParameterError(f"{where}, column 'capability': '{part}' is not a capability "
                                     "code or name; use a code from capabilities.csv such as CORP-FIN.")
            if found not in capabilities:
                capabilities.append(found)
        capability = capabilities[0] if capabilities else -1
        if product is None and vendor_name is None and capability < 0:
            continue
        overrides[normalise_header(raw)] = _Override(product, vendor_name, capability, where, more,
                                                     tuple(capabilities))
    return overrides


# --------------------------------------------------------------------------- resolving queries


def _resolve_queries(matcher: _Matcher, queries: list[tuple[str, str, str]]) -> list[list[_Part]]:
    """Decide the products of each unique (product cell, vendor cell, system name) query."""
    ref = matcher.ref
    overrides = matcher.overrides

    # Pass 1: the forms of every text, and the keys that need fuzzy matching.
    vendors: dict[str, tuple[str | None, str, list[str]]] = {}
    plans: list[tuple[str, str, list[tuple[str, list[str]]]]] = []
    needs_fuzzy: set[str] = set()

    def want(text: str, vendor: str | None, vendor_key: str, strict: bool = False) -> int:
        found = matcher.exact_text(text, vendor, vendor_key, strict=strict)
        if found >= 0:
            return found
        forms = matcher.text_forms(text)
        if not forms.in_house and not forms.placeholder:
            for key in forms.fuzzy:
                if len(key) >= 6 and key not in ref.ambiguous:
                    needs_fuzzy.add(key)
        return found

    for product_text, vendor_text, system_text in queries:
        if vendor_text not in vendors:
            vendor, vendor_key = _vendor_of(ref, vendor_text)
            vendor_words = ([w for w in _words(vendor_text) if w not in _LEGAL_WORDS]
                            if vendor_text and not _IN_HOUSE.search(vendor_text) else [])
            vendors[vendor_text] = (vendor, vendor_key if vendor_text and not _IN_HOUSE.search(vendor_text)
                                    else "", vendor_words)
        vendor, vendor_key, _ = vendors[vendor_text]
        segments: list[tuple[str, list[str]]] = []
        cell = overrides.get(normalise_header(product_text)) if product_text and overrides else None
        if product_text and (cell is None or cell.product is None):
            for segment in _hard_parts(product_text):
                soft = _soft_parts(segment)
                if want(segment, vendor, vendor_key, strict=True) >= 0 or len(soft) < 2:
                    segments.append((segment, []))
                    continue
                want(segment, vendor, vendor_key)
                for piece in soft:
                    want(piece, None, "")
                segments.append((segment, soft))
        if system_text:
            for candidate in _name_candidates(system_text):  # batched here, not one by one later
                want(candidate, vendor, vendor_key)
        plans.append((product_text, vendor_text, segments))

    keys = sorted(needs_fuzzy - matcher.fuzzy_result.keys())
    owners, scores, matched = _fuzzy(keys, ref.fuzzy_keys, ref.fuzzy_products, matcher.threshold)
    matcher.fuzzy_result.update(zip(keys, zip(owners.tolist(), scores.tolist(), matched)))

    # Pass 2: decide.
    results = []
    for (product_text, vendor_text, segments), (_, _, system_text) in zip(plans, queries):
        vendor, vendor_key, vendor_words = vendors[vendor_text]
        vendor_in_house = bool(vendor_text) and bool(_IN_HOUSE.search(vendor_text))
        cell_override = overrides.get(normalise_header(product_text)) if product_text and overrides else None
        if cell_override is not None and cell_override.product is not None:
            results.append(_overridden_all(matcher, product_text, cell_override, vendor, vendor_text))
            continue
        parts: list[_Part] = []
        blank_capability = -1
        named_vendor: str | None = None
        notes: list[str] = []
        for segment, soft in segments:
            chosen = None
            if soft:
                listed, segment_notes = _read_list(matcher, segment, vendor, vendor_key, vendor_words,
                                                   vendor_in_house)
                if listed:
                    chosen, notes = listed, notes + segment_notes
                    if len({p.product for p in listed}) == 1:
                        chosen = listed[:1]
                        chosen[0].text = chosen[0].matched_text = segment
            if chosen is None:
                whole = _decide_product(matcher, segment, vendor, vendor_key, vendor_words,
                                        split=len(segments) > 1, vendor_in_house=vendor_in_house)
                chosen = [whole]
                if len(segments) > 1:
                    reason = _non_product_reason(matcher, segment, whole)
                    if reason is not None and whole.method == _METHOD_UNLISTED:
                        notes.append(f"'{segment}' is {reason}")
                        continue
                    if reason is not None:
                        notes.append(f"'{segment}' is {reason}")
            for part in chosen:
                piece_override = overrides.get(normalise_header(part.text)) if overrides else None
                if piece_override is not None and piece_override.more:
                    parts.extend(_overridden_all(matcher, part.text, piece_override, vendor, vendor_text))
                    continue
                if piece_override is not None:
                    part = _overridden(matcher, part.text, piece_override, vendor, vendor_text, part)
                if part.product == -1 and part.method == _METHOD_NONE:
                    if part.capability >= 0 and blank_capability < 0:
                        blank_capability = part.capability
                    if part.vendor is not None and named_vendor is None:
                        named_vendor = part.vendor
                    continue
                parts.append(part)
        # one product a part, each once
        unique: list[_Part] = []
        seen_products: set[int] = set()
        for part in parts:
            if part.product >= 0 and part.product in seen_products:
                continue
            seen_products.add(part.product)
            unique.append(part)
        if not unique:
            unique = [_from_system_name(matcher, system_text, vendor, vendor_key, vendor_text,
                                        named_vendor, vendor_in_house)]
            if blank_capability >= 0 and unique[0].capability < 0:
                unique[0].capability = blank_capability
        if notes and unique[0].product != -1:
            unique[0] = replace(unique[0], notes=tuple(dict.fromkeys(notes)))
        display = vendor or (None if vendor_in_house or not vendor_text else vendor_text)
        for i, part in enumerate(unique):
            if part.vendor is None and part.product != -2:
                part.vendor = display
            if cell_override is not None:  # a mapping row for the whole cell that gives no product
                unique[i] = _overridden(matcher, part.text, cell_override, vendor, vendor_text, part)
        results.append(unique)
    return results


def _product_spans(text: str) -> tuple[list[tuple[int, int]], list[bool]]:
    """Spans of ``text`` between separators outside brackets, and whether each join is weak.

    Weak separators (``&``, ``+``, ``and``, ``plus``, ``with``, a spaced dash) join the words of one
    name as often as they join two products (``Marks & Spencer``, ``Veeam Backup & Replication``);
    ``,``, ``/`` and ``|`` are strong.
    """
    depth, depths = 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        depths.append(depth)
        if ch in ")]}" and depth:
            depth -= 1
    spans: list[tuple[int, int]] = []
    weak: list[bool] = []
    start, pending_weak = 0, True
    for separator in _SOFT_SPLIT.finditer(text):
        if depths[separator.start()] > 0:
            continue
        if text[start:separator.start()].strip():
            if spans:
                weak.append(pending_weak)
            spans.append((start, separator.start()))
            pending_weak = bool(_WEAK_SEPARATOR.match(separator.group(0)))
        else:
            pending_weak = pending_weak and bool(_WEAK_SEPARATOR.match(separator.group(0)))
        start = separator.end()
    if text[start:].strip():
        if spans:
            weak.append(pending_weak)
        spans.append((start, len(text)))
    return spans, weak


_Read = tuple[list[_Part], list[str]]


def _non_product_reason(matcher: _Matcher, text: str, part: _Part) -> str | None:
    """Why a piece of a product cell is not a product (a version, a qualifier...), or None if it is one."""
    if part.method == _METHOD_NONE:
        forms = matcher.text_forms(text)
        if forms.placeholder:
            return "a placeholder"
        if part.capability >= 0:
            return "a capability, not a product"
        if part.vendor is not None and matcher.names_vendor(forms) is not None:
            return "a vendor's name"
        return "not a product"
    if part.method == _METHOD_UNLISTED:
        words = matcher.text_forms(text).unversioned
        if not _meaningful(words):
            return "a version or edition"
        if all(w in _QUALIFIER_WORDS or w in _FILLER_OR_EDITION or w.isdigit() for w in words):
            return "a qualifier (department, site, environment)"
    return None


def _read_piece(matcher: _Matcher, text: str, vendor: str | None, vendor_key: str, vendor_words: list[str],
                vendor_in_house: bool) -> _Read:
    """The products one piece of a multi-product cell names, and notes on what is not a product.

    A piece with a bracketed list (``"Microsoft 365 suite (Teams, SharePoint, Outlook)"``) is a suite
    with its members: when the text outside the brackets names a product, that product is the part
    (one contract buys the suite) and the members are noted as read into it; otherwise
    (``"Collaboration (Teams, Zoom)"``) the members are the parts.
    """
    listed = None
    for match in _BRACKETS.finditer(text):
        inner = match.group(1)
        if inner.strip() and len(_product_spans(inner)[0]) > 1:
            listed = match
            break
    if listed is not None:
        outside = (text[:listed.start()] + " " + text[listed.end():]).strip(" ,;/-")
        outer_parts, outer_notes = (_read_list(matcher, outside, vendor, vendor_key, vendor_words, vendor_in_house)
                                    if _words(outside) else ([], []))
        members, member_notes = _read_list(matcher, listed.group(1), vendor, vendor_key, vendor_words,
                                           vendor_in_house)
        known = [p for p in outer_parts if p.method in (_METHOD_EXACT, _METHOD_FUZZY, _METHOD_INHOUSE)]
        if not known and any(p.method in (_METHOD_EXACT, _METHOD_FUZZY) for p in members):
            # "Video calls (Teams, Zoom)": an unknown heading over known products; the products win
            heading = [f"'{outside}' is a heading for the products listed in brackets"] if outside else []
            return members, outer_notes + member_notes + heading
        if outer_parts:
            names = ", ".join(f"'{p.text}'" for p in members)
            suite = matcher.product_names[outer_parts[0].product] if outer_parts[0].product >= 0 else outside
            notes = outer_notes + member_notes
            if names:
                notes.append(f"{names} read as part of the suite {suite}, not as products of their own")
            return outer_parts, notes
        return members, outer_notes + member_notes
    part = _decide_product(matcher, text, vendor, vendor_key, vendor_words, split=True,
                           vendor_in_house=vendor_in_house)
    reason = _non_product_reason(matcher, text, part)
    if reason is not None:
        return [], [f"'{text}' is {reason}"]
    return [part], []


_MAX_GROUP_PIECES = 8
"""Most pieces of a product cell, split on separators, that are tried together as one catalogue name."""


def _read_list(matcher: _Matcher, segment: str, vendor: str | None, vendor_key: str, vendor_words: list[str],
               vendor_in_house: bool) -> _Read:
    """The products of a segment that may list several, split on separators outside brackets.

    Adjacent pieces are kept together where together they are a catalogue name (``"RingGo and NEC
    Revenues and Benefits"``: RingGo, NEC Revenues and Benefits), and pieces joined by a weak separator
    are kept together when neither is a catalogue product nor something else than a product
    (``"Marks & Spencer"`` is one unknown product; ``"Frobber and Tableau"`` two).
    """
    spans, weak = _product_spans(segment)
    if len(spans) < 2 or matcher.text_forms(segment).placeholder:  # "N/A" is one placeholder
        return _read_piece(matcher, segment.strip(), vendor, vendor_key, vendor_words, vendor_in_house)
    groups: list[tuple[int, int]] = []
    joins: list[bool] = []
    i = 0
    while i < len(spans):
        end = i + 1
        # A catalogue name spans a few pieces at most: bounding the span keeps a cell of thousands of
        # separators ("1,1,1,...") linear instead of cubic.
        for j in range(min(len(spans), i + _MAX_GROUP_PIECES), i + 1, -1):
            if matcher.exact_text(segment[spans[i][0]:spans[j - 1][1]].strip(), None, "", strict=True) >= 0:
                end = j
                break
        if groups:
            joins.append(weak[i - 1])
        groups.append((spans[i][0], spans[end - 1][1]))
        i = end
    reads = [_read_piece(matcher, segment[a:b].strip(), vendor, vendor_key, vendor_words, vendor_in_house)
             for a, b in groups]

    def unknown(read: _Read) -> bool:
        parts, notes = read
        return not notes and len(parts) == 1 and parts[0].method == _METHOD_UNLISTED

    def edition(read: _Read) -> bool:  # "VMware vSphere Enterprise Plus v8": "v8" belongs to what it follows
        return not read[0] and len(read[1]) == 1 and read[1][0].endswith("is a version or edition")

    k = 0
    while k < len(joins):
        if joins[k] and reads[k][0] and not reads[k][1] and edition(reads[k + 1]):
            merged = (groups[k][0], groups[k + 1][1])
            text = segment[merged[0]:merged[1]].strip()
            groups[k:k + 2] = [merged]
            reads[k:k + 2] = [([replace(p, text=text, matched_text=text) for p in reads[k][0]], [])]
            del joins[k]
        elif joins[k] and unknown(reads[k]) and unknown(reads[k + 1]):
            merged = (groups[k][0], groups[k + 1][1])
            groups[k:k + 2] = [merged]
            reads[k:k + 2] = [_read_piece(matcher, segment[merged[0]:merged[1]].strip(), vendor, vendor_key,
                                          vendor_words, vendor_in_house)]
            del joins[k]
        else:
            k += 1
    parts = [p for read in reads for p in read[0]]
    notes = [n for read in reads for n in read[1]]
    return parts, notes


def _overridden_all(matcher: _Matcher, text: str, override: _Override, vendor: str | None,
                    vendor_text: str) -> list[_Part]:
    """The parts a mapping row decides for a text it maps to one product or several."""
    first = _overridden(matcher, text, override, vendor, vendor_text)
    return [first] + [_overridden(matcher, text, replace(override, product=product, more=()), vendor, vendor_text)
                      for product in override.more]


def _overridden(matcher: _Matcher, text: str, override: _Override, vendor: str | None, vendor_text: str,
                automatic: _Part | None = None) -> _Part:
    """The part a mapping row decides; ``automatic`` is kept where the row gives no product."""
    if override.product is None:
        assert automatic is not None
        part = automatic
    elif override.product == -2:
        part = _Part(text, -2, _METHOD_OVERRIDE, 1.0, override.vendor, text)
    elif override.product == -1:
        part = _Part(text, -1, _METHOD_OVERRIDE, 1.0, override.vendor or vendor or (vendor_text or None), text)
    else:
        part = _Part(text, override.product, _METHOD_OVERRIDE, 1.0,
                     override.vendor or matcher.product_vendors[override.product] or vendor or (vendor_text or None),
                     text)
    if override.vendor is not None:
        part.vendor = override.vendor
        part.override_vendor = override.vendor
    if override.capability >= 0:
        part.override_capability = override.capability
        part.override_capabilities = override.capabilities
    return part


def _decide_product(matcher: _Matcher, text: str, vendor: str | None, vendor_key: str,
                    vendor_words: list[str], *, split: bool = False, vendor_in_house: bool = False) -> _Part:
    """The product of one piece of product text, with method and confidence."""
    vendor_name = vendor
    found = matcher.exact_text(text, vendor, vendor_key)
    if found >= 0 and matcher.unknown_vendor_conflict(found, text, vendor, vendor_words):
        found = -1  # "Synertec / Prism" is not Capita's Prism: an unlisted product of the supplier given
    if found >= 0:
        conflict, removed = matcher.removal(text, found)
        if not conflict:
            cell_conflict = not split and matcher.vendor_conflict(found, vendor)
            confidence = VENDOR_CONFLICT_CONFIDENCE if cell_conflict else 1.0
            return _Part(text, found, _METHOD_EXACT, confidence, matcher.product_vendors[found], text,
                         review=removed or cell_conflict)
    forms = matcher.text_forms(text)
    if forms.in_house:
        return _Part(text, -2, _METHOD_INHOUSE, 1.0, vendor_name, text)
    if forms.placeholder:
        return _Part(text, -1, _METHOD_NONE, 0.0, vendor_name, text)
    named = matcher.names_vendor(forms)
    if named is not None:
        return _Part(text, -1, _METHOD_NONE, 0.0, named, text)
    capability = matcher.names_capability(forms)
    if capability >= 0:
        return _Part(text, -1, _METHOD_NONE, 0.0, vendor_name, text, capability=capability)
    found, similarity = matcher.fuzzy(forms)
    if found >= 0 and (split or not matcher.vendor_conflict(found, vendor)) and not \
            matcher.unknown_vendor_conflict(found, text, vendor, vendor_words):
        return _Part(text, found, _METHOD_FUZZY, round(FUZZY_SCALE * similarity, 4),
                     matcher.product_vendors[found], text, review=True)
    if vendor_in_house:
        return _Part(text, -2, _METHOD_INHOUSE, 1.0, None, text)
    start = _named_at_start(matcher, text, vendor, vendor_key)
    if start is not None:
        return _Part(text, start[0], _METHOD_EXACT, PREFIX_CONFIDENCE, matcher.product_vendors[start[0]], text,
                     capability=start[1], review=True)
    product = matcher.unlisted_product(forms, text, vendor_words)
    return _Part(text, product, _METHOD_UNLISTED, UNLISTED_CONFIDENCE, vendor_name, text)


_MAX_NAME_WORDS = 8
"""Most words of a product's name looked for at the start of a text (the catalogue's longest have six)."""


def _named_at_start(matcher: _Matcher, text: str, vendor: str | None, vendor_key: str
                    ) -> tuple[int, int, int] | None:
    """A catalogue product named at the start of a text whose other words are the organisation's own, the
    capability those words name (-1 for none) and how many words name the product; None when there is none.

    ``SystmOne Child Health`` (a SystmOne unit), ``Accurx Plus`` (an edition). Not when the other words name a
    product of their own (two products side by side), a capability unrelated to the product's (``Alto Parking``
    is no library system), or only generic or qualifier words (``Citrix Workspace App`` is the client, not the
    platform: the exact rules weigh those), nor when the start is only the maker's name (``Citrix ...``: another
    of its products, unless the product is named after its maker, as ``Accurx`` is), nor when the start is one
    word that is only an alias of the product (``Spine Mini Service`` is not the national NHS Spine).
    """
    tokens = text.split()
    for k in range(min(len(tokens) - 1, _MAX_NAME_WORDS), 0, -1):  # no product's name is longer
        prefix = " ".join(tokens[:k])
        found = matcher.exact_text(prefix, vendor, vendor_key, strict=True)
        if found < 0:
            continue
        if k == 1 and matcher.whole_key(prefix) != matcher.whole_key(matcher.product_names[found]):
            return None  # one word that is only an alias ("Spine Mini Service" is no NHS Spine)
        conflict, _ = matcher.removal(prefix, found)
        rest = " ".join(tokens[k:])
        if conflict or matcher.vendor_conflict(found, vendor) or matcher.exact_text(rest, None, "") >= 0 \
                or all(w in _GENERIC_WORDS or w in _QUALIFIER_WORDS for w in _words(rest)):
            return None
        maker = {w for w in _words(matcher.product_vendors[found] or "") if w not in _LEGAL_WORDS}
        if set(_words(prefix)) <= maker and set(_words(matcher.product_names[found])) - maker:
            return None
        capability = matcher.names_capability(matcher.text_forms(rest))
        own = matcher.product_capabilities[found]
        if capability >= 0 and own >= 0 and _related(matcher.ref, capability, own) < 0:
            return None  # "Alto Parking": a parking product under a brand, not the library system Alto
        return found, capability, k
    return None


def _from_system_name(matcher: _Matcher, system: str, vendor: str | None, vendor_key: str,
                      vendor_text: str, named_vendor: str | None, vendor_in_house: bool, *,
                      overrides: bool = True) -> _Part:
    """The product of a system whose product cell names none, read from its name."""
    vendor = vendor or named_vendor
    fallback_vendor = vendor or (None if vendor_in_house else (vendor_text or None))
    if not system:
        if vendor_in_house:
            return _Part("", -2, _METHOD_INHOUSE, 1.0, None, "")
        return _Part("", -1, _METHOD_NONE, 0.0, fallback_vendor, "")
    override = matcher.overrides.get(normalise_header(system)) if overrides and matcher.overrides else None
    if override is not None:
        automatic = None
        if override.product is None:
            automatic = _from_system_name(matcher, system, vendor, vendor_key, vendor_text, named_vendor,
                                          vendor_in_house, overrides=False)
        return _overridden(matcher, system, override, vendor, vendor_text, automatic)
    forms = matcher.text_forms(system)
    whole = matcher.whole_key(system)
    named = matcher.names_capability(forms)
    def capability_like(text: str) -> bool:  # "Planning": a capability's name, never looked up as a product
        key = matcher.whole_key(text)
        return matcher.names_capability(matcher.text_forms(text)) >= 0 and (
            key not in matcher.ref.alias or key in matcher.ref.capability_key)

    candidates = [c for i, c in enumerate(_name_candidates(system)) if i == 0 or not capability_like(c)]
    if forms.placeholder or named >= 0 and (whole not in matcher.ref.alias or whole in matcher.ref.capability_key) \
            and not any(matcher.exact_text(c, vendor, vendor_key) >= 0 for c in candidates[1:]):
        # "Payroll", "Contact centre", "IRS": named after what it does, not its product
        if forms.in_house or vendor_in_house:
            return _Part(system, -2, _METHOD_INHOUSE, 1.0, None, system)
        return _Part(system, -1, _METHOD_NONE, 0.0, fallback_vendor, system, capability=named)
    if forms.in_house:
        return _Part(system, -2, _METHOD_INHOUSE, 1.0, None, system)

    def named_by(found: int, method: str, confidence: float, review: bool) -> _Part:
        return _Part(system, found, method, round(SYSTEM_NAME_FACTOR * confidence, 4), matcher.product_vendors[found],
                     system, from_system_name=True, cell_vendor=fallback_vendor, review=review)

    for i, candidate in enumerate(candidates):  # the name as written, then without its qualifiers
        found = matcher.exact_text(candidate, vendor, vendor_key)
        if found < 0:
            continue
        conflict, removed = matcher.removal(candidate, found)
        if conflict:
            continue
        cell_conflict = matcher.vendor_conflict(found, vendor)
        return named_by(found, _METHOD_EXACT, VENDOR_CONFLICT_CONFIDENCE if cell_conflict else 1.0,
                        removed or cell_conflict or i > 0)
    for candidate in candidates:  # typing errors, as in product cells
        candidate_forms = matcher.text_forms(candidate)
        if candidate_forms.placeholder or all(w in matcher.ref.generic_words or w.isdigit()
                                              for w in candidate_forms.unversioned):
            continue  # "System 1" is not SystmOne
        found, similarity = matcher.fuzzy(candidate_forms)
        if found >= 0 and not matcher.vendor_conflict(found, vendor):
            return named_by(found, _METHOD_FUZZY, FUZZY_SCALE * similarity, True)
    for candidate in candidates:  # a product's name and then words of the organisation's own
        start = _named_at_start(matcher, candidate, vendor, vendor_key)
        if start is not None:
            part = named_by(start[0], _METHOD_EXACT, PREFIX_CONFIDENCE, True)
            part.capability = start[1]
            return part
    if vendor_in_house:
        return _Part(system, -2, _METHOD_INHOUSE, 1.0, None, system)
    for candidate in candidates[1:] or candidates:  # a name that matches nothing: a product of its own
        candidate_forms = matcher.text_forms(candidate)
        words = [w for w in candidate_forms.unversioned if w not in _QUALIFIER_WORDS]
        if not words or all(w in matcher.ref.generic_words or w.isdigit() or len(w) < 2 for w in words):
            continue
        if matcher.names_vendor(candidate_forms) is not None or matcher.names_capability(candidate_forms) >= 0:
            continue
        vendor_words = [w for w in _words(fallback_vendor or "") if w not in _LEGAL_WORDS]
        product = matcher.unlisted_product(matcher.text_forms(_join_words(words)), candidate, vendor_words)
        return _Part(system, product, _METHOD_UNLISTED, round(SYSTEM_NAME_FACTOR * UNLISTED_CONFIDENCE, 4),
                     fallback_vendor, system, from_system_name=True, cell_vendor=fallback_vendor, review=True)
    return _Part(system, -1, _METHOD_NONE, 0.0, fallback_vendor, system)


def _qualifier_like(text: str) -> bool:
    """Whether a piece of a system name is a qualifier: department, site, environment, year, capability words."""
    ref = _reference(None, None, None)
    words = _words(_VERSION.sub(" ", text))
    return all(w in _QUALIFIER_WORDS or w in ref.generic_words or w.isdigit() for w in words)


def _join_words(words: Sequence[str]) -> str:
    return " ".join(words)


_NAME_CANDIDATES: dict[str, list[str]] = {}


def _name_candidates(system: str) -> list[str]:
    """A system's name as written, then the texts in it that may name its product.

    People add to a product's name the department or service that runs it (``"- Adults"``,
    ``"(Finance)"``, ``"for Schools"``, ``"Custody"``), a site, an environment (``test``, ``live``) or
    a year: the name is cut at separators outside brackets (``-``, ``,``, ``/``...), a trailing ``for
    ...`` phrase is dropped, the bracketed texts are tried after the rest, and each piece is also tried
    without qualifier words and years. ``"Microsoft Power BI - Custody"``: ``Microsoft Power BI``;
    ``"Payroll (iTrent)"``: ``Payroll``, then ``iTrent``.
    """
    found = _NAME_CANDIDATES.get(system)
    if found is not None:
        return found
    texts: list[str] = []
    tail = _FOR_PHRASE.search(system)
    trimmed = system[:tail.start()].strip() if tail and _qualifier_like(tail.group(0)) else system
    for whole in dict.fromkeys((system, trimmed)):  # "Uniform for Schools": "for Schools" last
        outside = _BRACKETS.sub(" ", whole).strip()
        inside = [m.group(1).strip() for m in _BRACKETS.finditer(whole) if m.group(1).strip()]
        for text in [outside, *inside]:
            spans, _ = _product_spans(text)
            texts.append(text)
            if len(spans) > 1:
                texts.append(text[spans[0][0]:spans[0][1]].strip())
            # a later piece only after pieces that are qualifiers: "Custody - Power BI" is Power BI, but
            # "Freedom Scientific - Fusion" is not Oracle Fusion
            for k in range(1, len(spans)):
                if not all(_qualifier_like(text[a:b]) for a, b in spans[:k]):
                    break
                texts.append(text[spans[k][0]:spans[k][1]].strip())
    out = [system, *texts]
    for text in texts:  # then each without qualifier words and trailing department words; versions stay as
        tokens = [t for t in text.split()  # written ("10.x"): the lookup strips them itself
                  if _words(t) and not all(w in _QUALIFIER_WORDS for w in _words(t))]
        while len(tokens) > 1 and all(w in _DEPARTMENT_WORDS for w in _words(tokens[-1])):  # "NHS Jobs Custody"
            tokens.pop()
        if tokens:
            out.append(" ".join(tokens))
    out = [c for c in dict.fromkeys(c for c in out if c and _has_letter(c.lower()))]
    if len(_NAME_CANDIDATES) < 200_000:
        _NAME_CANDIDATES[system] = out
    return out


# --------------------------------------------------------------------------- capability text


def _capability_text_keys(text: str) -> list[str]:
    """Keys of a capability text, most faithful first: as written, abbreviations spelt out, without
    trailing filler words ("... system"), without any filler, then the same outside and inside brackets."""
    pieces = [text]
    if "(" in text or "[" in text or "{" in text:
        pieces += [_BRACKETS.sub(" ", text)] + [m.group(1) for m in _BRACKETS.finditer(text) if m.group(1).strip()]
    keys = []
    for piece in pieces:
        words = [_ABBREVIATIONS.get(w, w) for w in _words(piece)]
        trimmed = list(words)
        while len(trimmed) > 1 and trimmed[-1] in _CAPABILITY_FILLER:
            trimmed.pop()
        plain = [w for w in words if w not in _CAPABILITY_FILLER] or words
        keys += ["".join(words), "".join(trimmed), "".join(plain)]
    return [key for key in dict.fromkeys(keys) if key]


def _soft_spans(text: str) -> list[tuple[int, int]]:
    """Where the pieces of a text split on soft separators (``,``, ``/``, ``and``...) lie."""
    spans, start = [], 0
    for separator in _SOFT_SPLIT.finditer(text):
        if text[start:separator.start()].strip():
            spans.append((start, separator.start()))
        start = separator.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _capability_of(lookup: dict[str, int], text: str) -> int:
    return next((lookup[key] for key in _capability_text_keys(text) if key in lookup), -1)


def _capability_words(text: str) -> list[str]:
    """The words of a capability text, brackets left out and abbreviations written out ("Revs & Bens (old)")."""
    return [_ABBREVIATIONS.get(w, w) for w in _words(_BRACKETS.sub(" ", text))]


def _contained_capability(lookup: dict[str, int], text: str) -> int:
    """The capability whose name or synonym is the longest run of words inside the text
    ("Car parking": parking), if it is one capability and covers at least 40% of the text."""
    words = _capability_words(text)
    total = len("".join(w for w in words if w not in _CAPABILITY_FILLER))
    best, codes = 0, set()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + 6) + 1):
            key = "".join(words[i:j])
            code = lookup.get(key, -1)
            if code < 0 or len(key) < 4 or len(key) < best:
                continue
            if len(key) > best:
                best, codes = len(key), set()
            codes.add(code)
    if len(codes) == 1 and total and best / total >= 0.4:
        return codes.pop()
    return -1


def _another_word(text: str, key: str, known: frozenset[str]) -> bool:
    """Whether ``text``, matched loosely to the name ``key``, holds a word of its own that is a known word.

    A typing error makes a word no capability uses (``Revenus``); a word the
    capabilities use (``clinical``, where ``critical`` was matched) names
    something else, so the loose match is not taken.
    """
    return any(len(w) >= 4 and w not in _CAPABILITY_FILLER and w not in key and w in known for w in _capability_words(text))


def _resolve_capability_texts(ref: _Reference, texts: list[str], threshold: float,
                              cache: dict[str, tuple[int, float, bool, tuple[int, ...]]]
                              ) -> list[tuple[int, float, bool, tuple[int, ...]]]:
    """Capability of each text: (index or -1, confidence, exact?, all exact candidates).

    In turn: the text's keys (:func:`_capability_text_keys`); its parts split on
    soft separators, adjacent parts kept together where together they are a
    name ("fire command and control / mobilisation"), all parts known; a
    fuzzy match of the whole; the longest name inside it; the parts known.
    """
    pending: dict[str, tuple[list[str], list[int]]] = {}
    lookup = ref.capability_key
    for text in texts:
        if text in cache:
            continue
        found = lookup.get(normalise_header(text), ref.capability_index.get(text.strip().upper(), -1))
        keys = _capability_text_keys(text) if found < 0 else []
        for key in keys:
            found = lookup.get(key, -1)
            if found >= 0:
                break
        if found >= 0:
            cache[text] = (found, 1.0, True, (found,))
            continue
        spans = _soft_spans(text)
        codes: list[int] = []
        missing = 0
        i = 0
        while len(spans) > 1 and i < len(spans):
            code, end = -1, i + 1
            for j in range(min(len(spans), i + _MAX_GROUP_PIECES), i, -1):  # a name spans a few pieces at most
                code = _capability_of(lookup, text[spans[i][0]:spans[j - 1][1]])
                if code >= 0:
                    end = j
                    break
            if code < 0:
                missing += 1
            elif code not in codes:
                codes.append(code)
            i = end
        if codes and not missing:
            cache[text] = (codes[0], 1.0 if len(codes) == 1 else 0.7, len(codes) == 1, tuple(codes))
            continue
        pending[text] = ([k for k in keys if len(k) >= 6], codes)
    fuzzy_keys = sorted({q for qs, _ in pending.values() for q in qs})
    owners, scores, matched = _fuzzy(fuzzy_keys, ref.capability_fuzzy_keys, ref.capability_fuzzy_codes, threshold,
                                     same_first=True)
    result = dict(zip(fuzzy_keys, zip(owners.tolist(), scores.tolist(), matched)))
    for text, (queries, codes) in pending.items():
        best, score, key = -1, 0.0, ""
        for query in queries:
            owner, similarity, near = result[query]
            if owner >= 0 and similarity > score:
                best, score, key = owner, similarity, near
        if best >= 0 and _another_word(text, key, ref.capability_words):
            best = -1  # "Clinical communications" is not a typing error of "critical communications"
        if best >= 0:
            cache[text] = (best, round(FUZZY_SCALE * score, 4), False, (best,))
            continue
        contained = _contained_capability(lookup, text)
        if contained >= 0:
            cache[text] = (contained, WEAK_TEXT_CONFIDENCE, False, (contained,))
        elif codes:
            cache[text] = (codes[0], WEAK_TEXT_CONFIDENCE, False, tuple(codes))
        else:
            cache[text] = (-1, 0.0, False, ())
    return [cache[text] for text in texts]


def _related(ref: _Reference, a: int, b: int) -> int:
    """The more specific of two related capabilities (one an ancestor of the other), else -1."""
    if a == b:
        return a
    if b in ref.ancestors[a]:
        return a
    if a in ref.ancestors[b]:
        return b
    return -1


# --------------------------------------------------------------------------- the public functions


def _column_text(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    """Factorised codes and cleaned unique texts of a text column ("" for missing)."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64), [""]
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
    texts = [_text(u) for u in uniques] + [""]
    codes = np.where(codes < 0, len(texts) - 1, codes).astype(np.int64)
    return codes, texts


def _check_threshold(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise ParameterError(f"The 'fuzzy_threshold' parameter of match_systems must be a float in [0, 1]. "
                             f"Got {value!r} instead.")
    return float(value)


def match_systems(
    systems: pd.DataFrame,
    *,
    mapping: pd.DataFrame | PathLike | None = None,
    catalogue: Reference = None,
    vendors: Reference = None,
    capabilities: Reference = None,
    fuzzy_threshold: float = 0.8,
) -> pd.DataFrame:
    """Decide the product, vendor and capability of every system.

    The rules are those of the module: exact alias, then fuzzy, then
    unlisted for products; capability text, then the product's default, for
    capabilities; a mapping overrides both.

    Parameters
    ----------
    systems : DataFrame
        One row a system, as :attr:`estate.Inventory.systems`. It needs a
        unique ``system_key``; ``product``, ``vendor``, ``system``,
        ``capability`` and ``organisation`` are read when present.
    mapping : DataFrame, str or Path, optional
        Corrections: a file for :func:`read_mapping`, or a DataFrame with its
        columns (such as an edited :func:`review_table`). Keyed by the
        normalised text of the product cell, of one product in a split cell,
        or, for a system with no product, of the system name.
    catalogue, vendors, capabilities : DataFrame, str or Path, optional
        Reference data as :func:`estate.reference.load_catalogue`,
        :func:`~estate.reference.load_vendors` and
        :func:`~estate.reference.load_capabilities` return it, or the paths of
        such CSV files. By default the packaged files.
    fuzzy_threshold : float, default=0.8
        The least similarity (0 to 1) a fuzzy match needs; short texts need
        more (see the module's rules).

    Returns
    -------
    DataFrame
        A new frame: the input's columns, one row a system after splitting
        multi-product cells, then the columns of :data:`MATCH_COLUMNS`:

        * ``split_from``: the original ``system_key`` for every part of a split
          cell, missing otherwise. The first part keeps the original
          ``system_key``; the second and later get ``~2``, ``~3``...; every
          part keeps ``source_file`` and ``source_row``; its ``product`` cell
          holds its own product's text. **Money columns** (``licence_cost``,
          ``support_cost``, ``hosting_cost``, ``staff_cost``, ``annual_cost``,
          ``exit_cost``) are divided equally between the parts so that
          totals are unchanged; ``users`` stays the same on each part.
        * ``matched_text``: the text the product was decided from (the product
          cell or one part of it, or the system name).
        * ``product_id``: the catalogue id; ``"unlisted:<normalised name>"``
          for a product the catalogue lacks; ``"in-house:<system_key>"`` for an
          in-house system; missing for no product.
        * ``product_name``: the catalogue name, or for an unlisted product its
          most common spelling (or the name a mapping gives).
        * ``product_family``: what one contract buys — the catalogue's
          ``family`` (``microsoft-365`` for Teams, SharePoint Online, Exchange
          Online and the Copilot add-on), else the ``product_id``. Joint
          procurement groups by it; rationalisation still sees the product.
        * ``vendor_name``: the vendor trading today.
        * ``capability_code``, ``capability_name``.
        * ``product_confidence``, ``product_method`` (one of
          :data:`PRODUCT_METHODS`), ``capability_confidence``,
          ``capability_method`` (one of :data:`CAPABILITY_METHODS`) and
          ``match_confidence``, the smaller confidence.

        Rows are in the input's order, the parts of a split row together.

    Raises
    ------
    ParameterError
        ``systems`` is not a DataFrame, lacks a unique ``system_key``,
        ``fuzzy_threshold`` is out of range, or the mapping is bad.

    Notes
    -----
    The work is done once a unique text (and once a unique combination of
    product cell, vendor cell and, where the product is blank, system name),
    never row by row, and fuzzy matching compares all unique unknown texts
    with all aliases in chunks of :func:`rapidfuzz.process.cdist`, so the time
    grows with the number of different spellings, not of systems. Python's
    cyclic garbage collector is paused meanwhile: the text forms, parts and
    caches are hundreds of thousands of small objects, none of them cyclic
    garbage, and its collections would walk them again and again.

    Examples
    --------
    >>> import pandas as pd
    >>> systems = pd.DataFrame({
    ...     "system_key": ["A/1", "A/2", "B/1", "B/2", "B/3"],
    ...     "system": ["Planning", "Clinical", "Grants", "Tracker", "SystmOne"],
    ...     "vendor": ["Idox", None, "Acme", None, None],
    ...     "product": ["Uniform 10.2", "EMIS and SystmOne", "Grantify 3", "bespoke", "N/A"],
    ...     "capability": [None, "GP system", "grant management", None, None]})
    >>> matched = match_systems(systems)
    >>> matched[["system_key", "product_id", "product_method", "product_confidence"]]
      system_key         product_id product_method  product_confidence
    0        A/1       idox-uniform    exact alias                 1.0
    1        A/2           emis-web    exact alias                 1.0
    2      A/2~2           systmone    exact alias                 1.0
    3        B/1  unlisted:grantify       unlisted                 0.3
    4        B/2       in-house:B/2       in-house                 1.0
    5        B/3           systmone    exact alias                 0.8
    >>> matched["capability_code"].tolist()
    ['ESD-170', 'NHS-GP', 'NHS-GP', 'ESD-5', nan, 'NHS-GP']
    """
    if not isinstance(systems, pd.DataFrame):
        raise ParameterError("The 'systems' parameter of match_systems must be a DataFrame. "
                             f"Got {type(systems).__name__} instead.")
    threshold = _check_threshold(fuzzy_threshold)
    if "system_key" not in systems.columns:
        raise ParameterError("systems: column 'system_key' is missing; read the inventory with "
                             "estate.read_inventory, which adds it.")
    keys = systems["system_key"]
    if keys.isna().any() or keys.duplicated().any():
        bad = keys[keys.isna() | keys.duplicated()].iloc[0]
        raise ParameterError(f"systems: column 'system_key' must be unique and filled; '{bad}' is missing or "
                             "repeated.")
    with collector_paused():
        return _match(systems, mapping, catalogue, vendors, capabilities, threshold)


def _match(systems: pd.DataFrame, mapping: pd.DataFrame | PathLike | None, catalogue: Reference,
           vendors: Reference, capabilities: Reference, threshold: float) -> pd.DataFrame:
    """:func:`match_systems` on checked arguments."""
    ref = _reference(catalogue, vendors, capabilities)
    matcher = _Matcher(ref, threshold, {})
    matcher.overrides = _prepare_mapping(mapping, matcher)

    n = len(systems)
    systems, from_capability = _products_in_capability_cells(systems, matcher)
    systems, from_vendor = _products_in_vendor_cells(systems, matcher)
    product_codes, product_texts = _column_text(systems, "product")
    vendor_codes, vendor_texts = _column_text(systems, "vendor")
    system_codes, system_texts = _column_text(systems, "system")
    capability_codes, capability_texts = _column_text(systems, "capability")

    # Vendors the input names but the vendor list lacks: removed from unknown products' keys.
    for text in vendor_texts:
        if text and not _IN_HOUSE.search(text) and _vendor_of(ref, text)[0] is None:
            words = tuple(w for w in _words(text) if w not in _LEGAL_WORDS)
            if words and _meaningful(words):
                for end in {words[0], words[-1]}:
                    matcher.input_vendors.setdefault(end, []).append(words)
    for found in matcher.input_vendors.values():
        found.sort(key=lambda words: (-len(words), words))

    # The system name matters only where the product cell names no product.
    blank_like = np.array([not t or _blankish(matcher, t) for t in product_texts], dtype=bool)
    uses_system = blank_like[product_codes]
    system_part = np.where(uses_system, system_codes, -1)
    pair = product_codes * (len(vendor_texts) + 1) + vendor_codes
    pair_codes, _ = pd.factorize(pair)
    query = pair_codes.astype(np.int64) * (len(system_texts) + 2) + (system_part + 1)
    query_codes, query_uniques = pd.factorize(query)
    first_row = np.zeros(len(query_uniques), dtype=np.int64)
    first_row[query_codes[::-1]] = np.arange(n - 1, -1, -1)
    queries = [(product_texts[product_codes[r]], vendor_texts[vendor_codes[r]],
                system_texts[system_codes[r]] if uses_system[r] else "") for r in first_row]
    resolved = _resolve_queries(matcher, queries)

    # Flatten the parts: one table of parts, each query's parts consecutive.
    counts = np.array([len(parts) for parts in resolved], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat: list[_Part] = [part for parts in resolved for part in parts]

    row_counts = counts[query_codes] if n else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(n), row_counts)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(row_counts) - row_counts, row_counts)
    part_index = offsets[query_codes[rows]] + within if n else np.zeros(0, dtype=np.int64)
    is_split = row_counts[rows] > 1

    out = systems.iloc[rows].reset_index(drop=True)
    original_keys = np.array(out["system_key"].astype(object), dtype=object)
    if is_split.any():
        suffix = np.where(within > 0, "~" + (within + 1).astype(str), "")
        new_keys = original_keys.copy()
        later = within > 0
        new_keys[later] = (original_keys[later].astype(str) + suffix[later]).astype(object)
        out["system_key"] = pd.array(new_keys, dtype=systems["system_key"].dtype) \
            if isinstance(systems["system_key"].dtype, pd.StringDtype) else new_keys
        part_texts = np.array([p.text for p in flat], dtype=object)
        if "product" in out.columns:
            product_column = np.array(out["product"].astype(object), dtype=object)
            product_column[is_split] = part_texts[part_index[is_split]]
            out["product"] = product_column
        for column in [f.name for f in SYSTEMS.fields if f.kind == "money"]:
            if column in out.columns and pd.api.types.is_numeric_dtype(out[column]):
                out[column] = out[column] / row_counts[rows]
    split_from = np.where(is_split, original_keys, None)

    # Product columns.
    p_product = np.array([p.product for p in flat], dtype=np.int64)[part_index]
    p_method = np.array([p.method for p in flat], dtype=object)[part_index]
    p_conf = np.array([p.confidence for p in flat], dtype=np.float64)[part_index]
    p_vendor = np.array([p.vendor for p in flat], dtype=object)[part_index]
    p_matched = np.array([p.matched_text for p in flat], dtype=object)[part_index]
    p_named_cap = np.array([p.capability for p in flat], dtype=np.int64)[part_index]
    p_override_cap = np.array([p.override_capability for p in flat], dtype=np.int64)[part_index]
    p_from_name = np.array([p.from_system_name for p in flat], dtype=bool)[part_index]
    p_cell_vendor = np.array([p.cell_vendor for p in flat], dtype=object)[part_index]
    p_review = np.array([p.review for p in flat], dtype=bool)[part_index]
    p_note = np.array(["; ".join(p.notes) if p.notes else None for p in flat], dtype=object)[part_index]

    _name_unlisted(matcher, p_product, p_matched)
    product_ids = np.array(matcher.product_ids + [None, None], dtype=object)  # -2 and -1 index the tail
    product_names = np.array(matcher.product_names + [None, None], dtype=object)
    product_caps = np.array(matcher.product_capabilities + [-1, -1], dtype=np.int64)
    ids = product_ids[p_product]
    names = product_names[p_product]
    _split_unlisted_by_vendor(matcher, p_product, p_vendor, p_matched, ids, names)
    in_house = p_product == -2
    if in_house.any():
        new_keys = out["system_key"].astype(str).to_numpy(dtype=object)
        ids[in_house] = "in-house:" + new_keys[in_house]
        names[in_house] = np.where(p_matched[in_house] != "", p_matched[in_house],
                                   out["system"].astype(object).to_numpy()[in_house]
                                   if "system" in out.columns else None)
    default_cap = product_caps[p_product]

    # Capability text: the capability cell; else a product cell naming a capability; else the system name.
    cap_cache: dict[str, tuple[int, float, bool, tuple[int, ...]]] = {}
    cap_results = _resolve_capability_texts(ref, capability_texts, threshold, cap_cache)
    cap_results, cell_codes, cell_unread = _cell_capabilities(ref, capability_texts, cap_results, threshold,
                                                              cap_cache)
    t_code = np.array([r[0] for r in cap_results], dtype=np.int64)[capability_codes[rows]]
    t_conf = np.array([r[1] for r in cap_results], dtype=np.float64)[capability_codes[rows]]
    t_exact = np.array([r[2] for r in cap_results], dtype=bool)[capability_codes[rows]]
    t_cell = np.array([bool(t) for t in capability_texts], dtype=bool)[capability_codes[rows]]
    files = out["source_file"].astype(str).to_numpy(dtype=object) if "source_file" in out.columns else None
    grouped = _grouping_cells(ref, files, capability_codes[rows], t_code, t_cell, default_cap)
    if grouped.any():  # a file's "Category" column: read each system's capability from its product or name
        t_cell, t_code, t_conf, t_exact = t_cell & ~grouped, t_code.copy(), t_conf.copy(), t_exact & ~grouped
        t_code[grouped], t_conf[grouped] = -1, 0.0
    named = (~t_cell) & (p_named_cap >= 0)
    t_code[named] = p_named_cap[named]
    t_conf[named] = 1.0
    t_exact[named] = True
    need_name = (t_code < 0) & (default_cap < 0) & ~t_cell & ("system" in systems.columns)
    if need_name.any():
        sys_rows = system_codes[rows[need_name]]
        wanted = sorted(set(sys_rows.tolist()))
        found = _resolve_capability_texts(ref, [system_texts[i] for i in wanted], threshold, cap_cache)
        lookup = {i: r for i, r in zip(wanted, found)}
        t_code[need_name] = [lookup[i][0] for i in sys_rows]
        t_conf[need_name] = [round(SYSTEM_NAME_FACTOR * lookup[i][1], 4) for i in sys_rows]
        t_exact[need_name] = False

    # A product read from the system name is refused when the capability text names an unrelated one,
    # unless the whole name as written is the product's name with its maker's ("Microsoft 365" used for
    # "Email, Office, Teams"; "Civica APP" for food safety): "Connect" for the intranet is not NEC Connect.
    # Nor when the row's vendor cell names the product's maker ("Datix (DCIQ)" from RLDatix used for "Incidents,
    # risks, complaints"): two cells agree on the product.
    whole_name = (p_method == _METHOD_EXACT) & ~p_review
    for i in np.flatnonzero(p_from_name & (t_code >= 0) & t_cell & (default_cap >= 0)):
        if whole_name[i] and _names_its_maker(matcher, int(p_product[i]), system_texts[system_codes[rows[i]]]):
            continue
        if p_method[i] == _METHOD_EXACT and _names_its_maker(matcher, int(p_product[i]),
                                                               vendor_texts[vendor_codes[rows[i]]]):
            continue
        if _related(ref, int(t_code[i]), int(default_cap[i])) < 0:
            p_product[i], ids[i], names[i], default_cap[i] = -1, None, None, -1
            p_method[i], p_conf[i], p_vendor[i], p_review[i] = _METHOD_NONE, 0.0, p_cell_vendor[i], False

    cap, cap_conf, cap_method = _decide_capabilities(ref, t_code, t_conf, t_exact, default_cap, p_conf,
                                                     p_override_cap, is_split)
    codes = np.array(ref.capability_codes + [None], dtype=object)
    cap_names = np.array(ref.capability_names + [None], dtype=object)
    p_override_caps = [p.override_capabilities for p in flat]
    all_codes = _all_capability_codes(ref, codes, cap, t_code, t_cell, capability_codes[rows], cell_codes,
                                      p_override_cap, [p_override_caps[i] for i in part_index]
                                      if any(p_override_caps) else None, is_split)
    unread = np.array(cell_unread + [None], dtype=object)[np.where(t_cell, capability_codes[rows], -1)]
    unread[grouped] = _GROUPING_NOTE

    if from_capability.any():  # say where the product was read from
        moved = from_capability[rows]
        p_note = p_note.copy()
        p_note[moved] = [_FROM_CAPABILITY_NOTE if not isinstance(note, str) else f"{note}; {_FROM_CAPABILITY_NOTE}"
                         for note in p_note[moved]]
    if from_vendor.any():
        moved = from_vendor[rows] & (within == 0)  # said once a row
        p_note = p_note.copy()
        p_note[moved] = [_FROM_VENDOR_NOTE if not isinstance(note, str) else f"{note}; {_FROM_VENDOR_NOTE}"
                         for note in p_note[moved]]
    added = {
        "split_from": split_from,
        "matched_text": np.where(p_matched == "", None, p_matched),
        "product_id": ids,
        "product_name": names,
        "product_family": _families(ref, p_product, ids),
        "vendor_name": p_vendor,
        "capability_code": codes[cap],
        "capability_name": cap_names[cap],
        "product_confidence": p_conf,
        "product_method": p_method,
        "capability_confidence": cap_conf,
        "capability_method": cap_method,
        "match_confidence": np.minimum(p_conf, cap_conf),
        "needs_review": p_review | (p_method == _METHOD_UNLISTED),
        "match_note": p_note,
        "capability_codes": all_codes,
        "module_codes": np.full(len(out), None, dtype=object),
        "capability_note": unread,
    }
    for column, values in added.items():
        if values.dtype == object:
            values = values.copy()
            values[pd.isna(values)] = np.nan
            out[column] = pd.Series(values, dtype=object)
        else:
            out[column] = values
    # Product-known modules: a suite platform serves the jobs its catalogue entry lists (estate.coverage).
    if "organisation" in out.columns and len(out):
        modules = product_modules(out.assign(organisation=out["organisation"].astype(str)))
        found = modules.notna()
        if found.any():
            out["module_codes"] = modules.where(found, np.nan).astype(object)
            out.loc[found, "capability_codes"] = (out.loc[found, "capability_codes"].fillna("").astype(str)
                                                  + CAPABILITY_SEPARATOR + modules[found]).str.strip(
                CAPABILITY_SEPARATOR)
    return out


GROUPING_MIN_SYSTEMS = 5
"""How many systems of a file with a known product and a capability cell it takes to judge that file's capability
column (see :func:`_grouping_cells`)."""

_GROUPING_NOTE = "grouping"


def _grouping_cells(ref: _Reference, files: np.ndarray | None, texts: np.ndarray, t_code: np.ndarray,
                    t_cell: np.ndarray, product_cap: np.ndarray) -> np.ndarray:
    """Rows whose capability cell groups systems rather than says what each does.

    A finance contracts list's ``Category`` (``Clinical system``, ``Infrastructure``) reads as a capability
    (an EPR, hosting) but puts under one heading systems whose products do different jobs: dictation, urgent
    care, a patient app; telephony, backup, email security. Judged a file at a time from the systems whose
    product the catalogue knows: when most of at least :data:`GROUPING_MIN_SYSTEMS` of them have a cell naming a
    capability unrelated to their product's, the column is a grouping and none of the file's cells is read as a
    capability. Within any file, a cell text given to three or more such systems, each at odds with it and
    between them doing two or more jobs, is a grouping too. A user's capability that differs from the product's
    on a few rows (``Microsoft 365`` used for email) stays the user's.

    Returns
    -------
    numpy.ndarray of bool
        One a row: its capability cell is a grouping.
    """
    grouped = np.zeros(len(t_code), dtype=bool)
    judged = t_cell & (t_code >= 0) & (product_cap >= 0)
    if judged.sum() < 3:
        return grouped
    idx = np.flatnonzero(judged)
    unrelated = np.zeros(len(t_code), dtype=bool)
    unrelated[idx] = [_related(ref, int(t_code[i]), int(product_cap[i])) < 0 for i in idx]
    keys = files if files is not None else np.zeros(len(t_code), dtype=object)
    frame = pd.DataFrame({"file": keys, "text": texts, "judged": judged, "unrelated": unrelated,
                          "cap": np.where(judged, product_cap, -1)})
    by_file = frame.groupby("file", sort=False).agg(judged=("judged", "sum"), unrelated=("unrelated", "sum"))
    bad_files = by_file.index[(by_file["judged"] >= GROUPING_MIN_SYSTEMS) & (2 * by_file["unrelated"] > by_file["judged"])]
    grouped |= frame["file"].isin(bad_files).to_numpy() & t_cell
    seen = frame[frame["judged"]]
    by_text = seen.groupby(["file", "text"], sort=False).agg(
        judged=("judged", "sum"), unrelated=("unrelated", "sum"), jobs=("cap", "nunique"))
    bad_texts = by_text.index[(by_text["judged"] >= 3) & (by_text["unrelated"] == by_text["judged"])
                              & (by_text["jobs"] >= 2)]
    if len(bad_texts):
        pairs = pd.MultiIndex.from_arrays([frame["file"], frame["text"]])
        grouped |= pairs.isin(bad_texts) & t_cell
    return grouped


def _cell_capabilities(ref: _Reference, texts: list[str], results: list[tuple[int, float, bool, tuple[int, ...]]],
                       threshold: float, cache: dict[str, tuple[int, float, bool, tuple[int, ...]]]
                       ) -> tuple[list[tuple[int, float, bool, tuple[int, ...]]], list[tuple[int, ...]],
                                  list[str | None]]:
    """Every capability each unique capability cell lists (CONTRACT §2: a system may serve several).

    A cell is split on ``;`` and line breaks and each part resolved as a whole
    cell is; a part whose soft pieces are all capabilities (``"Finance/HR"``)
    gives each. Returns each text's result for its primary (first read) part,
    all its codes in order, and the parts not read as a capability (joined
    by ``"; "``, None when every part was read).
    """
    results = list(results)
    codes: list[tuple[int, ...]] = []
    unread: list[str | None] = []
    parts_of = [split_capabilities(t) if t else [] for t in texts]
    wanted = sorted({p for parts in parts_of if len(parts) > 1 for p in parts})
    found = dict(zip(wanted, _resolve_capability_texts(ref, wanted, threshold, cache))) if wanted else {}
    for i, parts in enumerate(parts_of):
        if len(parts) <= 1:
            code, _, _, every = results[i]
            codes.append(tuple(every) if len(every) > 1 else ((code,) if code >= 0 else ()))
            unread.append(None)
            continue
        read = [found[p] for p in parts if found[p][0] >= 0]
        missed = [p for p in parts if found[p][0] < 0]
        results[i] = read[0] if read else (-1, 0.0, False, ())
        codes.append(tuple(dict.fromkeys(c for r in read for c in (r[3] if len(r[3]) > 1 else (r[0],)))))
        unread.append("; ".join(missed) if missed else None)
    return results, codes, unread


def _all_capability_codes(ref: _Reference, names: np.ndarray, cap: np.ndarray, t_code: np.ndarray, t_cell: np.ndarray,
                          cell: np.ndarray, cell_codes: list[tuple[int, ...]], override: np.ndarray,
                          override_codes: list[tuple[int, ...]] | None, is_split: np.ndarray) -> np.ndarray:
    """``capability_codes`` of each row: the decided capability first, then the cell's others, each once.

    The cell's primary code gives way to the decided one when they are
    related (the product's more specific capability); a mapping's
    capabilities replace the cell's. In a split cell, a part whose product's
    capability the cell does not name keeps its product's alone.
    """
    out = names[cap].copy()
    several = np.array([len(c) > 1 for c in cell_codes] + [False], dtype=bool)[np.where(t_cell, cell, -1)]
    overridden = override >= 0
    if override_codes is not None:
        several |= overridden & np.array([len(c) > 1 for c in override_codes], dtype=bool)
    for i in np.flatnonzero(several):
        if overridden[i]:
            listed: tuple[int, ...] = override_codes[i] if override_codes is not None else ()
        else:
            refined = cap[i] >= 0 and t_code[i] >= 0 and _related(ref, int(cap[i]), int(t_code[i])) >= 0
            if is_split[i] and cap[i] >= 0 and cap[i] not in cell_codes[cell[i]] and not refined:
                continue
            listed = tuple(c for c in cell_codes[cell[i]] if not (refined and c == t_code[i]))
        kept = [int(cap[i])] if cap[i] >= 0 else []
        kept += [c for c in listed if c not in kept]
        out[i] = CAPABILITY_SEPARATOR.join(str(names[c]) for c in kept) if kept else None
    return out


def _families(ref: _Reference, products: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Each part's product family: the catalogue's ``family`` where it gives one, else the product id."""
    known = (products >= 0) & (products < len(ref.product_ids))
    families = np.array([f or None for f in ref.product_families] + [None], dtype=object)
    out = ids.copy()
    given = families[np.where(known, products, len(ref.product_ids))]
    has = known & pd.notna(given)
    out[has] = given[has]
    return out


def _names_its_maker(matcher: _Matcher, product: int, text: str) -> bool:
    """Whether a text names the maker of a catalogue product among its words (``Granicus Firmstep``)."""
    maker = matcher.product_vendors[product] if product >= 0 else None
    words = [w for w in _words(maker or "") if w not in _LEGAL_WORDS]
    return bool(words) and set(words) <= set(_words(text))


_FROM_CAPABILITY_NOTE = "product read from the capability cell, which names the supplier's product"


def _products_in_capability_cells(systems: pd.DataFrame, matcher: _Matcher) -> tuple[pd.DataFrame, np.ndarray]:
    """Systems whose capability cell names the product: that cell read as the product.

    A register with no product column often says what a system *is* where it says what it is for
    (``Finance | Unit4 | Business World (Agresso)``; ``Servers | VMware | vSphere``). Where the product cell is
    blank, the system name names no product, and the capability cell is, as a whole, a catalogue product of
    the supplier in the vendor cell (the same company, after former names), the capability cell is the
    product, unless the system name names another of the supplier's products (``Endpoint protection`` reads as
    Sophos's endpoint product, so ``Intercept X``, the same one, is read; another one would not be); the
    capability is then the product's own. A cell that starts with the supplier's product and goes on to say what
    it is used for (``Mitel MiVoice Business and switchboard``; ``Ascribe Pharmacy: dispensary, stock``, from
    Optum) is read as that product, the rest as the capability; so is one named with its maker's name whoever the
    supplier is, a reseller or a shared service (``Oracle E-Business Suite via NHS SBS``). Returns the systems (a
    copy when any changed) and which rows changed.
    """
    changed = np.zeros(len(systems), dtype=bool)
    if not len(systems) or not {"capability", "vendor"} <= set(systems.columns):
        return systems, changed
    product = systems["product"] if "product" in systems.columns else pd.Series(None, index=systems.index)
    blank = product.isna() | product.astype(str).str.strip().eq("")
    named = blank & systems["capability"].notna() & systems["vendor"].notna()
    if not named.any():
        return systems, changed
    pairs = systems.loc[named, ["capability", "vendor", "system"] if "system" in systems.columns
                        else ["capability", "vendor"]].astype(str)
    decided: dict[tuple[str, ...], bool] = {}
    for key in pairs.drop_duplicates().itertuples(index=False, name=None):
        capability, vendor_text = key[0].strip(), key[1].strip()
        vendor, vendor_key = _vendor_of(matcher.ref, vendor_text)
        found = matcher.exact_text(capability, vendor, vendor_key) if vendor is not None else -1
        product_text, rest = capability, None
        if found < 0:  # "Mitel MiVoice Business and switchboard": the product, then its use
            start = _named_at_start(matcher, capability, vendor, vendor_key) if vendor is not None else None
            if start is None:  # through a reseller or a shared service: "Oracle E-Business Suite via NHS SBS"
                start = _named_at_start(matcher, capability, None, "")
            if start is not None:
                words = capability.split()
                found, product_text = start[0], " ".join(words[:start[2]]).rstrip(":;,-")
                rest = " ".join(words[start[2]:]).strip(" :;,-") or None
        by_name = matcher.exact_text(key[2].strip(), vendor, vendor_key) if len(key) > 2 and found >= 0 else -1
        # the supplier's own product; or, whoever supplies it, one the cell names with its maker's name
        own = found >= 0 and by_name in (-1, found) and (
            matcher.product_vendors[found] == vendor or rest is not None and _names_its_maker(matcher, found,
                                                                                               product_text))
        decided[key] = (product_text, rest) if own else None
    read = [decided[k] for k in pairs.itertuples(index=False, name=None)]
    hits = np.array([r is not None for r in read], dtype=bool)
    changed[np.flatnonzero(named.to_numpy())[hits]] = True
    if not changed.any():
        return systems, changed
    out = systems.copy()
    if "product" not in out.columns:
        out["product"] = pd.Series(None, index=out.index, dtype=object)
    out["product"] = out["product"].astype(object)
    out["capability"] = out["capability"].astype(object)
    at = out.index[changed]
    out.loc[at, "product"] = [r[0] for r in read if r is not None]
    out.loc[at, "capability"] = [np.nan if r[1] is None else r[1] for r in read if r is not None]
    return out, changed


_FROM_VENDOR_NOTE = "the vendor cell names a product, not a supplier: read with the product cell as a list of products"


def _products_in_vendor_cells(systems: pd.DataFrame, matcher: _Matcher) -> tuple[pd.DataFrame, np.ndarray]:
    """Systems whose vendor cell names a product: the two cells read together as the row's products.

    A ``Supplier / Product`` column split at its first ``/`` (:func:`estate.reading.split_vendor_product`, which
    keeps the cell as written in an ``extra: Supplier / Product`` column) takes the first of two products for a
    supplier when the cell lists products (``TPP SystmOne / Access RiO``, ``Lorenzo / RiO``). On such rows, where
    the vendor part is no supplier the vendor list knows but, as a whole, a catalogue product other than the one
    the product part names, the row lists both (``TPP SystmOne; Access RiO``): one system a product, as any
    product cell listing several. A vendor column of its own is left alone (``Legend Club Management``, the
    company, over ``Legend``). Returns the systems (a copy when any changed) and which rows changed.
    """
    changed = np.zeros(len(systems), dtype=bool)
    combined = [c for c in systems.columns if isinstance(c, str) and c.startswith("extra: ")
                and is_vendor_product_heading(c[len("extra: "):])]
    if not len(systems) or not combined or not {"vendor", "product"} <= set(systems.columns):
        return systems, changed
    split = systems[combined].notna().any(axis=1)  # the reader split these rows' one cell in two
    both = split & systems["vendor"].notna() & systems["product"].notna()
    if not both.any():
        return systems, changed
    pairs = systems.loc[both, ["vendor", "product"]].astype(str)
    decided: dict[tuple[str, str], bool] = {}
    for vendor_text, product_text in pairs.drop_duplicates().itertuples(index=False, name=None):
        vendor_text, product_text = vendor_text.strip(), product_text.strip()
        named = -1
        if vendor_text and _vendor_of(matcher.ref, vendor_text)[0] is None:
            named = matcher.exact_text(vendor_text, None, "", strict=True)
        decided[(vendor_text, product_text)] = named >= 0 and matcher.exact_text(product_text, None, "") != named
    hits = np.array([decided[(v.strip(), p.strip())] for v, p in pairs.itertuples(index=False, name=None)],
                    dtype=bool)
    changed[np.flatnonzero(both.to_numpy())[hits]] = True
    if not changed.any():
        return systems, changed
    out = systems.copy()
    out["product"] = out["product"].astype(object)
    out.loc[changed, "product"] = (out.loc[changed, "vendor"].astype(str).str.strip() + "; "
                                   + out.loc[changed, "product"].astype(str).str.strip())
    out["vendor"] = out["vendor"].astype(object)
    out.loc[changed, "vendor"] = np.nan
    return out, changed


def _blankish(matcher: _Matcher, text: str) -> bool:
    """Whether a product cell names no product: placeholder, vendor alone or a capability."""
    if not text:
        return True
    parts = _hard_parts(text)
    for part in parts:
        if matcher.exact_text(part, None, "") >= 0:
            return False
        forms = matcher.text_forms(part)
        if forms.in_house:
            return False
        if not (forms.placeholder or matcher.names_vendor(forms) is not None
                or matcher.names_capability(forms) >= 0):
            return False
    return True


def _name_unlisted(matcher: _Matcher, products: np.ndarray, texts: np.ndarray) -> None:
    """Name each unlisted product by its most common spelling (a mapping's name wins)."""
    first = len(matcher.ref.product_ids)
    mask = products >= first
    if not mask.any():
        return
    for product, text in _commonest(products[mask], texts[mask]).items():
        if product not in matcher.named_by_user:
            matcher.product_names[product] = text


def _commonest(keys: np.ndarray, texts: np.ndarray) -> pd.Series:
    """Each key's most common text (ties: the first in text order), indexed by key."""
    counts = pd.DataFrame({"key": keys, "text": texts}).value_counts().reset_index(name="count")
    counts = counts.sort_values(["key", "count", "text"], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates("key").set_index("key")["text"]


def _vendor_key(vendor: object) -> str:
    """A vendor as a short key: its words without legal ones (``Vodafone UK Ltd`` is ``vodafone``)."""
    words = re.findall(r"[^\W_]+", str(vendor).casefold())
    return "".join(w for w in words if w not in _LEGAL_WORDS) or "".join(words) or "vendor"


def _split_unlisted_by_vendor(matcher: _Matcher, products: np.ndarray, vendors: np.ndarray, texts: np.ndarray,
                              ids: np.ndarray, names: np.ndarray) -> None:
    """Give an unlisted product that rows of different vendors share one product a vendor (in place).

    ``Vodafone Corporate`` and ``BT Corporate`` both leave ``corporate`` once
    the vendor is taken off: two products, not one bought by both. Each
    vendor's rows get ``<id>@<vendor>``, named by their most common spelling;
    rows without a vendor keep the plain id. A name a mapping gave is the
    user's decision and is left whole.
    """
    unlisted = products >= len(matcher.ref.product_ids)
    if matcher.named_by_user:
        unlisted &= ~np.isin(products, list(matcher.named_by_user))
    if not unlisted.any():
        return
    rows = pd.DataFrame({"id": ids[unlisted], "vendor": vendors[unlisted], "text": texts[unlisted]},
                        index=np.flatnonzero(unlisted))
    codes, uniques = pd.factorize(rows["vendor"])  # each distinct vendor once; "Acme Ltd" is "Acme"
    keys = np.array([_vendor_key(v) for v in uniques] + [None], dtype=object)
    rows = rows.assign(vendor=keys[codes])
    rows = rows[rows.groupby("id")["vendor"].transform("nunique") > 1]
    if rows.empty:
        return
    known = rows["vendor"].notna()
    rows.loc[known, "id"] = rows.loc[known, "id"] + "@" + rows.loc[known, "vendor"]
    ids[rows.index.to_numpy()] = rows["id"].to_numpy(dtype=object)
    spelling = _commonest(rows["id"].to_numpy(dtype=object), rows["text"].to_numpy(dtype=object))
    names[rows.index.to_numpy()] = rows["id"].map(spelling).to_numpy(dtype=object)


def _decide_capabilities(ref: _Reference, t_code: np.ndarray, t_conf: np.ndarray, t_exact: np.ndarray,
                         p_cap: np.ndarray, p_conf: np.ndarray, override: np.ndarray,
                         is_split: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Combine text, product and override into capability, confidence and method."""
    n = len(t_code)
    cap = np.full(n, -1, dtype=np.int64)
    conf = np.zeros(n, dtype=np.float64)
    method = np.full(n, _CAP_UNMATCHED, dtype=object)
    inferred = np.round(INFERRED_FACTOR * p_conf, 4)
    both = (t_code >= 0) & (p_cap >= 0)
    relation = np.full(n, -1, dtype=np.int64)
    if both.any():
        pairs = t_code[both] * (len(ref.capability_codes) + 1) + p_cap[both]
        uniques, inverse = np.unique(pairs, return_inverse=True)
        width = len(ref.capability_codes) + 1
        decided = np.array([_related(ref, int(u // width), int(u % width)) for u in uniques], dtype=np.int64)
        relation[both] = decided[inverse]

    text_only = (t_code >= 0) & (p_cap < 0)
    cap[text_only], conf[text_only], method[text_only] = t_code[text_only], t_conf[text_only], _CAP_TEXT
    product_only = (t_code < 0) & (p_cap >= 0)
    cap[product_only] = p_cap[product_only]
    conf[product_only] = inferred[product_only]
    method[product_only] = _CAP_PRODUCT

    agree = both & (relation >= 0)
    text_specific = agree & (relation == t_code)
    cap[text_specific], conf[text_specific], method[text_specific] = (
        t_code[text_specific], np.maximum(t_conf[text_specific], inferred[text_specific]), _CAP_TEXT)
    product_specific = agree & (relation != t_code)
    cap[product_specific] = p_cap[product_specific]
    conf[product_specific] = np.maximum(np.minimum(t_conf[product_specific], p_conf[product_specific]),
                                        inferred[product_specific])
    method[product_specific] = _CAP_PRODUCT

    disagree = both & (relation < 0)
    text_wins = disagree & ~is_split & (t_exact | (t_conf >= inferred))
    cap[text_wins], conf[text_wins], method[text_wins] = t_code[text_wins], t_conf[text_wins], _CAP_TEXT
    product_wins = disagree & ~text_wins
    cap[product_wins], conf[product_wins], method[product_wins] = (
        p_cap[product_wins], inferred[product_wins], _CAP_PRODUCT)

    overridden = override >= 0
    cap[overridden], conf[overridden], method[overridden] = override[overridden], 1.0, _CAP_OVERRIDE
    return cap, conf, method


def split_products(text: str, *, catalogue: Reference = None, vendors: Reference = None,
                   capabilities: Reference = None) -> list[str]:
    """The products a product cell lists, as :func:`match_systems` splits it.

    Parameters
    ----------
    text : str
        A product cell as typed.
    catalogue, vendors, capabilities : DataFrame, str or Path, optional
        Reference data, as for :func:`match_systems`.

    Returns
    -------
    list of str
        One text a product: split on ``;`` and line breaks always, and on
        ``,``, ``/``, ``+``, ``&``, ``and``, ``plus``, ``with`` only where
        every part is a catalogue product. Placeholders and repeats of the
        same product are dropped. ``[]`` for a blank cell.

    Examples
    --------
    >>> split_products("Microsoft Teams; Mitel MiVoice")
    ['Microsoft Teams', 'Mitel MiVoice']
    >>> split_products("EMIS and SystmOne")
    ['EMIS', 'SystmOne']
    >>> split_products("Civica W2, v5")
    ['Civica W2, v5']
    >>> split_products("Capita Academy, Revenues")
    ['Capita Academy, Revenues']
    >>> split_products("Agresso / Unit4 Business World")
    ['Agresso / Unit4 Business World']
    """
    text = _text(text)
    if not text:
        return []
    ref = _reference(catalogue, vendors, capabilities)
    matcher = _Matcher(ref, 0.8, {})
    parts = _resolve_queries(matcher, [(text, "", "")])[0]
    return [part.text for part in parts if part.text]


def _capability_answer(name: object, code: str) -> str:
    """The capability as a person reads it: its name when the name reads back as the code, else the code."""
    if not code:
        return ""
    name = _text(name)
    if name and _reference(None, None, None).capability_key.get(normalise_header(name), -1) \
            == _reference(None, None, None).capability_index.get(code, -2):
        return name
    return code


def review_table(matched: pd.DataFrame, *, below: float = 0.8) -> pd.DataFrame:
    """The doubtful matches, as a mapping file for a person to confirm or correct.

    Parameters
    ----------
    matched : DataFrame
        What :func:`match_systems` returned.
    below : float, default=0.8
        Systems whose ``match_confidence`` is under this are listed.

    Returns
    -------
    DataFrame
        One row a distinct text (normalised), most systems first, in the
        form :func:`read_mapping` reads: ``raw_text`` (the text as most often
        typed), ``product``, ``vendor`` and ``capability`` filled with the
        current answer (the product's name, blank for no product; the
        capability's name), then columns that :func:`read_mapping` ignores:
        ``suggested_product_id``, ``suggested_capability_code``,
        ``confidence`` (the lowest), ``product_method``,
        ``capability_method``, ``systems`` and ``organisations`` (counts) and
        ``example_system``. Correct the answers, delete the rows you are not
        sure of, and pass the file as ``mapping`` to :func:`match_systems`:
        every row left becomes a ``"user override"``.

    Raises
    ------
    ParameterError
        ``matched`` lacks the columns :func:`match_systems` adds, or
        ``below`` is not a number in [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> systems = pd.DataFrame({"system_key": ["A/1", "B/1", "C/1"], "system": ["Waste", "Waste", "HR"],
    ...                         "product": ["Binzone 4", "BinZone 4", "iTrent"],
    ...                         "capability": ["waste collection", "Waste", None]})
    >>> review = review_table(match_systems(systems))
    >>> review[["raw_text", "product", "capability", "confidence", "systems"]]
        raw_text    product        capability  confidence  systems
    0  BinZone 4  BinZone 4  Waste management         0.3        2
    """
    missing = [c for c in ("matched_text", "product_id", "match_confidence") if c not in matched.columns]
    if missing:
        raise ParameterError(f"review_table: column '{missing[0]}' is missing; pass what match_systems returned.")
    if isinstance(below, bool) or not isinstance(below, (int, float)) or not 0.0 <= float(below) <= 1.0:
        raise ParameterError(f"The 'below' parameter of review_table must be a float in [0, 1]. Got {below!r} "
                             "instead.")
    columns = [*MAPPING_COLUMNS, "suggested_product_id", "suggested_capability_code", "confidence",
               "product_method", "capability_method", "systems", "organisations", "example_system"]
    doubtful = matched["match_confidence"].fillna(0.0) < below
    if "needs_review" in matched.columns:  # reached by removing words or by fuzzy distance, whatever its confidence
        doubtful |= matched["needs_review"].fillna(False).astype(bool)
    doubtful = matched.loc[doubtful]
    doubtful = doubtful.loc[doubtful["matched_text"].notna() & (doubtful["matched_text"].astype(str) != "")]
    if doubtful.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c not in ("confidence", "systems", "organisations")
                                          else ("float64" if c == "confidence" else "int64"))
                             for c in columns})
    frame = pd.DataFrame({
        "key": doubtful["matched_text"].map(normalise_header).to_numpy(),
        "text": doubtful["matched_text"].astype(object).to_numpy(),
        "product_id": doubtful["product_id"].astype(object).to_numpy(),
        "product_name": doubtful["product_name"].astype(object).to_numpy(),
        "vendor_name": doubtful["vendor_name"].astype(object).to_numpy(),
        "capability_code": doubtful["capability_code"].astype(object).to_numpy(),
        "capability_name": doubtful["capability_name"].astype(object).to_numpy(),
        "confidence": doubtful["match_confidence"].to_numpy(dtype=np.float64),
        "product_method": doubtful["product_method"].astype(object).to_numpy(),
        "capability_method": doubtful["capability_method"].astype(object).to_numpy(),
        "organisation": (doubtful["organisation"].astype(object).to_numpy() if "organisation" in doubtful
                         else np.full(len(doubtful), None, dtype=object)),
        "system": (doubtful["system"].astype(object).to_numpy() if "system" in doubtful
                   else np.full(len(doubtful), None, dtype=object)),
    }).fillna({"product_id": "", "capability_code": ""})
    rows = []
    for key, group in frame.groupby("key", sort=True):
        text = Counter(group["text"]).most_common()
        raw = sorted(text, key=lambda item: (-item[1], str(item[0])))[0][0]
        answers = Counter(zip(group["product_id"], group["capability_code"]))
        (product_id, capability_code), _ = sorted(answers.items(), key=lambda item: (-item[1], item[0]))[0]
        chosen = group.loc[(group["product_id"] == product_id) & (group["capability_code"] == capability_code)]
        first = chosen.iloc[0]
        in_house = str(product_id).startswith("in-house:")
        product = "in-house" if in_house else (_text(first["product_name"]) if product_id else "")
        rows.append({
            "raw_text": raw,
            "product": product,
            "vendor": _text(first["vendor_name"]),
            "capability": _capability_answer(first["capability_name"], capability_code),
            "suggested_product_id": "" if in_house else product_id,
            "suggested_capability_code": capability_code,
            "confidence": float(group["confidence"].min()),
            "product_method": first["product_method"],
            "capability_method": first["capability_method"],
            "systems": len(group),
            "organisations": int(group["organisation"].nunique()),
            "example_system": _text(first["system"]),
        })
    table = pd.DataFrame.from_records(rows, columns=columns)
    table = table.sort_values(["systems", "raw_text"], ascending=[False, True], kind="stable")
    for column in columns:
        if column not in ("confidence", "systems", "organisations"):
            table[column] = table[column].astype(object)
    return table.reset_index(drop=True)


def no_product_counts(matched: pd.DataFrame) -> pd.DataFrame:
    """How many systems of each organisation have no product after matching.

    Such a system (a blank or placeholder product cell and a system name that
    names no product, such as ``"Payroll"``) groups with no other system, so it
    can be neither a shared platform nor a system that moves onto one.

    Parameters
    ----------
    matched : DataFrame
        What :func:`match_systems` returned.

    Returns
    -------
    DataFrame
        One row an organisation with at least one such system, sorted by
        organisation: ``organisation``, ``no_product``, ``systems`` (all of
        its systems), ``source_file`` (its first file) and ``examples`` (up to
        five system names, sorted).

    Examples
    --------
    >>> import pandas as pd
    >>> systems = pd.DataFrame({"system_key": ["A/1", "A/2", "B/1"], "organisation": ["A", "A", "B"],
    ...                         "system": ["Payroll", "Planning", "Finance"],
    ...                         "product": [None, "Idox Uniform", "Unit4 ERP"]})
    >>> no_product_counts(match_systems(systems))[["organisation", "no_product", "systems", "examples"]]
      organisation  no_product  systems examples
    0            A           1        2  Payroll
    """
    columns = ["organisation", "no_product", "systems", "source_file", "examples"]
    if "product_id" not in matched.columns:
        raise ParameterError("no_product_counts: column 'product_id' is missing; pass what match_systems returned.")
    organisation = (matched["organisation"].astype(object) if "organisation" in matched.columns
                    else pd.Series("", index=matched.index, dtype=object)).fillna("")
    frame = pd.DataFrame({
        "organisation": organisation.to_numpy(dtype=object),
        "missing": matched["product_id"].isna().to_numpy(),
        "system": (matched["system"].astype(object).fillna("").astype(str).to_numpy(dtype=object)
                   if "system" in matched.columns else np.full(len(matched), "", dtype=object)),
        "source_file": (matched["source_file"].astype(object).fillna("").astype(str).to_numpy(dtype=object)
                        if "source_file" in matched.columns else np.full(len(matched), "", dtype=object)),
    })
    totals = frame.groupby("organisation", sort=True)["missing"].agg(["sum", "size"])
    totals = totals[totals["sum"] > 0]
    if totals.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("no_product", "systems") else object)
                             for c in columns})
    missing = frame[frame["missing"]]
    examples = missing.groupby("organisation")["system"].agg(lambda s: ", ".join(sorted(set(s))[:5]))
    files = frame.groupby("organisation")["source_file"].min()
    out = pd.DataFrame({"organisation": totals.index.to_numpy(dtype=object),
                        "no_product": totals["sum"].to_numpy(dtype=np.int64),
                        "systems": totals["size"].to_numpy(dtype=np.int64),
                        "source_file": files.reindex(totals.index).to_numpy(dtype=object),
                        "examples": examples.reindex(totals.index).to_numpy(dtype=object)})
    return out.reset_index(drop=True)


def match_issues(matched: pd.DataFrame) -> pd.DataFrame:
    """The data issues matching found, in the form of :attr:`estate.Inventory.issues`.

    * One ``info`` row for every input row whose product cell held text that
      was not read as a product (a version, a qualifier, a placeholder, a
      vendor's or a capability's name, or a suite's members in brackets), with
      that text: no part of a cell disappears in silence.
    * One ``info`` row for every system whose product was read from its
      capability cell (the product column blank, the capability cell naming
      the supplier's product), with that cell.
    * One ``warning`` row an organisation that has systems with no product
      (see :func:`no_product_counts`): how many, and that they cannot be a
      shared platform.

    Examples
    --------
    >>> import pandas as pd
    >>> systems = pd.DataFrame({"system_key": ["A/1", "A/2"], "organisation": ["A", "A"],
    ...                         "system": ["Revenues", "Payroll"], "source_file": ["a.csv", "a.csv"],
    ...                         "source_sheet": ["", ""], "source_row": [2, 3],
    ...                         "product": ["Capita Academy, Revenues", None]})
    >>> issues = match_issues(match_systems(systems))
    >>> issues[["source_row", "severity", "value"]]
       source_row severity                     value
    0           2     info  Capita Academy, Revenues
    1        <NA>  warning                   Payroll
    >>> print(issues.loc[0, "problem"])
    part of the product cell not read as a product: 'Revenues' is a capability, not a product
    """
    from estate.inventory import ISSUE_COLUMNS, empty_issues

    rows = []
    if "match_note" in matched.columns:
        for note, column in ((_FROM_CAPABILITY_NOTE, "capability"), (_FROM_VENDOR_NOTE, "vendor")):
            moved = matched[matched["match_note"] == note]  # the product read from another cell
            if len(moved):
                rows.append(pd.DataFrame({
                    "source_file": moved["source_file"].astype(object).to_numpy(dtype=object)
                    if "source_file" in moved else "",
                    "sheet": moved["source_sheet"].astype(object).to_numpy(dtype=object)
                    if "source_sheet" in moved else "",
                    "source_row": pd.array(pd.to_numeric(moved["source_row"], errors="coerce"), dtype="Int64")
                    if "source_row" in moved else pd.array([pd.NA] * len(moved), dtype="Int64"),
                    "column": column, "severity": "info", "problem": note,
                    "value": moved["product"].astype(object).to_numpy(dtype=object)}))
        noted = matched[matched["match_note"].notna() & ~matched["match_note"].isin([_FROM_CAPABILITY_NOTE,
                                                                                     _FROM_VENDOR_NOTE])]
        if len(noted):
            def column(name: str) -> np.ndarray:
                if name in noted.columns:
                    return noted[name].astype(object).to_numpy(dtype=object)
                return np.full(len(noted), "", dtype=object)

            product = column("product") if "split_from" not in noted.columns else np.where(
                noted["split_from"].notna(), column("matched_text"), column("product"))
            rows.append(pd.DataFrame({
                "source_file": column("source_file"), "sheet": column("source_sheet"),
                "source_row": pd.array(pd.to_numeric(pd.Series(column("source_row")), errors="coerce"),
                                       dtype="Int64"),
                "column": "product", "severity": "info",
                "problem": "part of the product cell not read as a product: " + noted["match_note"].astype(str),
                "value": product}))
    if "capability_note" in matched.columns:  # a part of a capability cell read as no capability (CONTRACT §2)
        unread = matched.loc[matched["capability_note"].notna()]
        if "split_from" in unread.columns:  # the parts of a split row share one capability cell: report it once
            unread = unread.loc[unread["split_from"].isna() | (unread["split_from"] == unread["system_key"])]
        if len(unread):
            def cell(name: str) -> np.ndarray:
                if name in unread.columns:
                    return unread[name].astype(object).to_numpy(dtype=object)
                return np.full(len(unread), "", dtype=object)

            grouping = (unread["capability_note"] == _GROUPING_NOTE).to_numpy()
            rows.append(pd.DataFrame({
                "source_file": cell("source_file"), "sheet": cell("source_sheet"),
                "source_row": pd.array(pd.to_numeric(pd.Series(cell("source_row")), errors="coerce"),
                                       dtype="Int64"),
                "column": "capability", "severity": "warning",
                "problem": np.where(
                    grouping,
                    "capability cell read as a grouping, not a capability: in this file the column puts systems "
                    "that do different jobs under one heading (their products do other jobs than it names), so the "
                    "system's capability is taken from its product or its name; give each system's own capability "
                    "to override",
                    "part of the capability cell not read as a capability, so the system is not counted "
                    "under it: '" + unread["capability_note"].astype(str) + "'; use a capability's "
                    "name or code (see capabilities.csv), one a part separated by ';'"),
                "value": cell("capability")}))
    counts = no_product_counts(matched)
    if len(counts):
        rows.append(pd.DataFrame({
            "source_file": counts["source_file"], "sheet": "", "source_row": pd.array([pd.NA] * len(counts),
                                                                                       dtype="Int64"),
            "column": "product", "severity": "warning",
            "problem": [f"{n:,} of {t:,} systems of {o} have no product (none named in the product cell "
                        "or the system name): they cannot be a shared platform or be grouped with other organisations' "
                        "systems; add the product to fix it" for o, n, t in
                        zip(counts["organisation"], counts["no_product"], counts["systems"])],
            "value": counts["examples"]}))
    if not rows:
        return empty_issues()
    out = pd.concat(rows, ignore_index=True)[list(ISSUE_COLUMNS)]
    for name in ISSUE_COLUMNS:
        if name != "source_row":
            out[name] = out[name].astype(object)
    return out
