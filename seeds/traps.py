"""Trap limits: how far a crawl lets one site's URL space grow before it stops following it.

Crawler traps are URL spaces that never end: calendars linking the next month forever,
relative links that add a path segment on every page, faceted searches, session ids in every
link, "page not found" answered with 200 under any path.  Each limit below names one guard;
the URL-shape guards are decide rules of the scope (``seeds.scope.trap_guards``), the counting
guards are kept by the crawl's admission step.  The values are the archive's ``traps.*``
settings (``diancang.settings`` declares them, chosen so that a real government portal is
never cut by them while a trap is stopped within minutes); the figures below are those.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TrapLimits:
    # Longer URLs are refused ("url-too-long"); 2083 is Internet Explorer's limit, the one
    # Heritrix uses too: a longer link is almost always a trap or a broken generator.
    max_url_length: int
    # Path segments at most ("path-too-deep"); real sites rarely exceed 8.
    max_path_depth: int
    # How often one path segment may occur in a path ("path-repeats"): /a/b/a/c/a is fine,
    # a fourth "a" is the relative-link loop /loop/a/a/a/a/.
    max_path_repeats: int
    # Distinct query strings of links followed for one host and path ("query-variants"),
    # counted after canonicalisation (parameter order and session ids make no new variant);
    # requisites (getImage.do?id=N) are not limited: they are as many as the pages.
    # It ends calendars (?month=...) and faceted searches; 1000 lets a list paginate through
    # 1000 pages. Sites that show every article as detail.jsp?id=N need more: raise it.
    max_query_variants: int
    # Links followed from one page ("too-many-outlinks", counted per dropped link); page
    # requisites are not limited. 6000 is Heritrix's frontier default: a site map of a
    # large portal fits, a generated page of endless links does not.
    max_outlinks: int
    # URLs admitted per host, requisites included ("host-budget"): a backstop for hosts
    # that no seed budget covers (a CDN serving requisites to every page, several seeds on
    # one host), above the per-seed default of 20000.
    max_host_pages: int
    # After this many page responses with an identical payload under one directory (a
    # "soft 404": any URL answers 200 with the same page), links from such responses are no
    # longer followed and further links under that directory are refused ("soft-404").
    soft404_repeats: int

