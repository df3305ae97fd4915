import sys, collections
self_=collections.Counter(); incl=collections.Counter(); tot=0
for line in open(sys.argv[1]):
    st, _, n = line.rstrip().rpartition(' ')
    n=int(n); tot+=n
    fr=st.split(';')
    self_[fr[-1]]+=n
    for f in set(fr): incl[f]+=n
pat=sys.argv[2] if len(sys.argv)>2 else ''
print('total samples',tot)
print('--- self'); [print(f'{v*100/tot:5.1f}% {k[:150]}') for k,v in self_.most_common(25)]
print('--- inclusive', pat); [print(f'{v*100/tot:5.1f}% {k[:150]}') for k,v in incl.most_common(400) if pat in k][:0]
