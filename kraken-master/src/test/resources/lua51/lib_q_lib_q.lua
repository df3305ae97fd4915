-- Found through the template "./?_?.lua": 5.1 replaces every '?' of a template.
return {args = select("#", ...), name = ..., second = select(2, ...)}
