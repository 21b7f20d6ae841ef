"""The REST API (/api/): Django REST framework over the same service
functions and permission rules as the pages (annotate/web/workspace.py,
annotate/permissions.py). Views here parse, call and answer."""
