"""Online meetings, the second half of the city's plan beside remote work: the online tools'
host accounts and the meeting-room kits (an inventory like devices, with contract, cost,
capacity and the department that pays), booking a licence for a meeting so that two meetings
never hold one host licence at the same time, and suggesting the free ones for a slot.

A feature: it hangs off the core meeting (``workhub.meetings``) and imports nothing else of
another feature."""
