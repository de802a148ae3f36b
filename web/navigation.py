"""The pages in the navigation bar, in order: (path, label)."""

NAVIGATION = (
    ("/", "Home"),
    ("/caseload", "Caseload"),
    ("/sessions", "Sessions"),
    ("/participants", "Enrolled participants"),
    ("/billing", "Billing"),
    ("/engagement", "Engagement"),
    ("/data-quality", "Data quality"),
    ("/writeback", "Write-back"),
)


def navigation_for(user) -> tuple[tuple[str, str], ...]:
    """What `user` may open: nothing before log-in; the write-back page for admins only."""
    if user is None:
        return ()
    return tuple((p, label) for p, label in NAVIGATION if p != "/writeback" or user.is_admin)
