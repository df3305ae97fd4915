local a = {4,

