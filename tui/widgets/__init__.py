"""The live screen's widgets: each renders what it is given ("attributes down")."""
