"""An example semcom plug-in: the ``tiny-jscc`` scheme (:mod:`.scheme`) and its model (:mod:`.model`)."""
