"""Which outlet (Source) an imported article belongs to, made when new.

Every import path (files, the admin's import, the API, doccano, fetched
pages) reaches this through ``articles_in.prepare_article``, so an article
lands under the same outlet whichever way it came in."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from annotate.models import Source
from annotate.rules import domains
from annotate.rules.text import excerpt

UNKNOWN = "Unknown"
NAME_LIMIT = Source._meta.get_field("name").max_length
DOMAIN_LIMIT = Source._meta.get_field("domain").max_length


class SourceProblem(ValueError):
    """The outlet cannot be recorded as named; the message says why."""


@transaction.atomic
def source_for_article(*, name: str = "", url: str = "", site_name: str = "") -> Source:
    """The outlet of an article, created when new.

    ``name`` is the one the record gives (a manifest, ``--source``, a form):
    when there is one, it is the outlet, by exact name ("Unknown" names
    none). Otherwise the outlet whose ``domain`` is the URL's host or a
    parent of it (www. and case ignored; edition.cnn.com finds cnn.com, and
    the longest matching domain wins), then the one whose name is the page's
    ``site_name`` (case ignored), else a new outlet named by the site name or
    the host, with the host as its domain. With nothing to go on, "Unknown".
    """
    name = excerpt(name.strip(), NAME_LIMIT)
    if name and name.lower() != UNKNOWN.lower():
        return _get_or_create(name=name)
    host = domains.url_host(url)
    site_name = excerpt(site_name.strip(), NAME_LIMIT)
    if domains.bare_domain(site_name) == host:
        # Extractors fall back to the host when a page names no site; that
        # is no name of its own, and matching it by name would be circular.
        site_name = ""
    if host and (source := _source_by_domain(host)):
        return source
    if site_name and (source := Source.objects.filter(name__iexact=site_name).order_by("pk").first()):
        return source
    if not host and not site_name:
        return _get_or_create(name=UNKNOWN)
    # A host longer than the column (253, DNS's own limit) cannot be a real one.
    domain = host if len(host) <= DOMAIN_LIMIT else ""
    return _get_or_create(name=site_name or excerpt(host, NAME_LIMIT), domain=domain)


def _source_by_domain(host: str) -> Source | None:
    candidates = domains.domain_candidates(host)
    # As typed in the admin: "cnn.com", "www.cnn.com" or "CNN.com".
    matching = Q()
    for candidate in candidates:
        matching |= Q(domain__iexact=candidate) | Q(domain__iexact=f"www.{candidate}")
    found = Source.objects.filter(matching).order_by("pk")

    def matched(source: Source) -> str:
        domain = source.domain.lower()
        return domain[4:] if domain.startswith("www.") and domain[4:] in candidates else domain

    # Longest first: a source for edition.cnn.com beats one for cnn.com;
    # between two with the same domain, the older (min keeps the first).
    return min(found, key=lambda source: -len(matched(source)), default=None)


def _get_or_create(*, name: str, domain: str = "") -> Source:
    source = Source.objects.filter(name=name).first()
    if source is not None:
        return source
    source = Source(name=name, domain=domain)
    try:
        source.full_clean()
    except ValidationError as error:
        raise SourceProblem("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
    source.save()
    return source
