from annotate import permissions


def roles(request):
    """What the navigation needs to know about the user's role (one query for
    a non-staff user, none for anonymous visitors or staff)."""
    user = getattr(request, "user", None)
    return {"is_lead": bool(user and permissions.is_lead(user))}
