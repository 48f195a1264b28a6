"""Format detection from the first bytes of a document (DOCTYPE / root element) or from a parsed root."""

from __future__ import annotations

import re

from ipops.lake.parsers.common import Element, local

_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([A-Za-z_][\w:.-]*)")
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL)

# local root element name -> format family
ROOT_FORMATS: dict[str, str] = {
    "us-patent-grant": "uspto-ice",
    "us-patent-application": "uspto-ice",
    "patent-application-publication": "uspto-pap",
    "PATDOC": "uspto-patdoc",
    "ep-patent-document": "epo-ep-patent-document",
    "world-patent-data": "epo-ops",
    "exchange-documents": "epo-ops",
    "response": "uspto-assignment",
    "us-patent-assignments": "uspto-assignment",
    "PatentDocumentAndRelated": "cnipa-new",
    "cn-patent-document": "cnipa-old",
    "jp-official-gazette": "jpo-st36",
    "PatentPublication": "wipo-st96-patent",
    "TrademarkApplication": "wipo-st96-trademark",
    "DesignApplication": "wipo-st96-design",
    "GIApplication": "wipo-st96-gi",
    "Transaction": "tm-st66",
    "TrademarkTransaction": "tm-st96",
    "TMBRAND": "tm-tmbrand",
    "CPCMasterClassificationFile": "uspto-cpc-master",
    "class-scheme": "cpc-scheme",
    "Application-body": "st36-toc",
}


def sniff_root_name(head: bytes) -> str | None:
    """The root element's local name from a document's first bytes (DOCTYPE name, else first element)."""
    text = _COMMENT.sub(b"", head[:65536])
    doctype = _DOCTYPE.search(text)
    if doctype:
        return doctype.group(1).decode("ascii", "replace").rsplit(":", 1)[-1]
    body = _SUBSET.sub(b"", text)
    for match in _FIRST_ELEMENT.finditer(body):
        name = match.group(1).decode("ascii", "replace")
        return name.rsplit(":", 1)[-1]
    return None


def sniff_format(head: bytes) -> str | None:
    """The format family of a document from its first bytes; "xml:<root>" for unknown XML; None if not XML."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        return None
    name = sniff_root_name(stripped)
    if name is None:
        return None
    return ROOT_FORMATS.get(name, f"xml:{name}")


def detect_format(root: Element) -> str:
    """The format family of a parsed document from its root element."""
    name = local(root.tag)
    if name == "Transaction" and root.tag != name and "XMLSchema/trademarks" not in root.tag:
        return "tm-st96"  # ST.96 (e.g. TSDR "ST-961 D3") reuses the ST.66 root name in another namespace
    return ROOT_FORMATS.get(name, f"xml:{name}")


def guess_non_xml(name: str, head: bytes) -> str:
    """A short description of a non-XML file for the quarantine reason ("json", "greenbook", ...)."""
    lowered = name.lower()
    stripped = head.lstrip()
    if lowered.endswith(".json") or stripped[:1] in (b"{", b"["):
        return "json"
    if lowered.endswith(".greenbook") or stripped.startswith(b"HHHHHT") or b"PATN" in stripped[:200]:
        return "greenbook"
    if lowered.endswith((".sgm", ".sgml")):
        return "sgml"
    if lowered.endswith(".txt"):
        return "text"
    suffix = lowered.rsplit(".", 1)[-1] if "." in lowered else "no extension"
    return suffix
