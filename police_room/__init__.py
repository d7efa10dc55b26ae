"""The online police room (网上警务室): each police area's public page for residents, its tip
box, appointments with its officers and their ratings, and the safety barometer."""
