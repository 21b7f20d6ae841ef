"""The REST API (/api/): Django REST framework over the same service
functions and permission rules as the pages (annotate/workspace.py,
annotate/permissions.py). Views here parse, call and answer."""
