"""The members' portal under /members: their memberships (renewed online), gifts and
receipts, volunteer shifts and the member directory."""
