"""The API's endpoints, one module per domain area: serializers (what a record looks like in
the API) and viewsets (which read through the app's selectors, cut to the user's scope, and write
through the app's services)."""
