"""REST API v1 for states' own systems (``/api/v1/``): the same services and the same
``visible_to`` querysets as the pages, behind personal bearer tokens."""
