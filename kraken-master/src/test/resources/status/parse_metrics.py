# Parses Prometheus text (stdin) with the official client library's parser and prints it back
# in a canonical form the Java test reads: "TYPE family type" and "SAMPLE name{k=v,...} value".
# Exits non-zero (with the parser's error) on anything the parser rejects.
import sys
from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
for family in text_string_to_metric_families(text):
    print("TYPE %s %s" % (family.name, family.type))
    print("HELP %s %s" % (family.name, family.documentation))
    for s in family.samples:
        labels = ",".join("%s=%s" % (k, s.labels[k]) for k in sorted(s.labels))
        print("SAMPLE %s{%s} %r" % (s.name, labels, float(s.value)))
