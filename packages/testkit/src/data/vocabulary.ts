/** Words the generators draw from. Names mix scripts on purpose: readers must keep UTF-8 intact. */
export const FIRST_NAMES = [
  "Zoë",
  "José",
  "Łukasz",
  "Søren",
  "Ana",
  "李娜",
  "さくら",
  "Дмитрий",
  "محمد",
  "Ñuño",
  "Aïcha",
  "Grace",
  "Ólafur",
  "민준",
] as const;

export const LAST_NAMES = [
  "Müller",
  "O'Brien",
  "García",
  "王",
  "Nguyễn",
  "Σωκράτης",
  "Smith",
  "Kowalski",
  "Ærø",
  "🙂 Emoji",
  "van der Berg",
  'Quote "Mark"',
] as const;

export const CITIES = [
  "Paris",
  "São Paulo",
  "Zürich",
  "東京",
  "Kraków",
  "New York",
  "Reykjavík",
  "Cairo",
] as const;

export const REGIONS = ["eu-west", "eu-central", "us-east", "us-west", "ap-south", "sa-east"] as const;

export const TABLES = ["orders", "customers", "payments", "shipments", "refunds"] as const;

export const TAGS = ["new", "vip", "churn-risk", "beta", "b2b", "mobile", "édition", "测试"] as const;

export const WORDS = [
  "alpha",
  "bravo",
  "charlie",
  "delta",
  "echo",
  "foxtrot",
  "golf",
  "hôtel",
  "india",
  "juliett",
  "kilo",
  "лима",
] as const;
