from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control


class NoStoreByDefaultMiddleware:
    """
    Answers hold providers' tokens and notes: no shared cache may keep them, and no browser may
    write them to disk. A response that sets its own Cache-Control keeps it; static files never
    get here (whitenoise answers them before this middleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class HtmxMessagesMiddleware:
    """
    Deliver pending messages with htmx responses, as an out-of-band swap of #messages.

    A view that answers an htmx request with a fragment can still say "Token deleted." the
    usual way (`messages.success`), and the toast appears without a full page load.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and not request.htmx.boosted
            and "HX-Redirect" not in response
            and "HX-Refresh" not in response  # the reloaded page shows them instead
            and response.get("Content-Type", "").startswith("text/html")
            and not 300 <= response.status_code < 400
            and not getattr(response, "streaming", False)
        ):
            # Reading the messages marks them shown, so they are not also kept for the next page.
            pending = list(get_messages(request))
            if pending:
                html = render_to_string(
                    "console/_messages.html", {"messages": pending, "oob": True}, request=request
                )
                response.content += html.encode()
        return response
