"""Static files storage for production (DEBUG off): whitenoise's compressed,
hashed names, so browsers may cache every file forever."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Our JavaScript is ES modules that import each other by relative path
    # (annotate/static/annotate/js/). Rewriting those imports to the hashed
    # names keeps a page from pairing a new workspace.js with a cached old
    # api.js after an upgrade.
    support_js_module_import_aggregation = True
