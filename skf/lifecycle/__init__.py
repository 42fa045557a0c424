"""The life of a generated service after `skf new`: updating it to a newer template, removing
it, and testing the template itself."""
