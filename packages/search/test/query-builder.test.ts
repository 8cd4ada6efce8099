import { InvalidArgumentError } from "@polars-redis/core";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { all, col, defineIndex, indexFromFrame, q, raw, term } from "../src/index.js";

describe("query builder rendering", () => {
  it("renders comparisons as numeric ranges with values in PARAMS", () => {
    expect(col("age").gt(30).render()).toEqual({ query: "@age:[($p0 +inf]", params: { p0: 30 } });
    expect(col("age").gtEq(30).render().query).toBe("@age:[$p0 +inf]");
    expect(col("age").lt(30).render().query).toBe("@age:[-inf ($p0]");
    expect(col("age").ltEq(30).render().query).toBe("@age:[-inf $p0]");
    expect(col("age").eq(30).render()).toEqual({ query: "@age:[$p0 $p1]", params: { p0: 30, p1: 30 } });
    expect(col("age").between(1, 5, "none").render().query).toBe("@age:[($p0 ($p1]");
    expect(col("age").between(1, 5).render().query).toBe("@age:[$p0 $p1]");
  });

  it("renders tags, text, prefix, fuzzy, phrases, negation, optional, geo and vectors", () => {
    expect(col("city").isIn(["London", "New York"]).render()).toEqual({
      query: "@city:{$p0|$p1}",
      params: { p0: "London", p1: "New York" },
    });
    expect(col("city").eq("Paris").not().render().query).toBe("-(@city:{$p0})");
    expect(col("title").contains("redis").render().query).toBe("@title:$p0");
    expect(col("title").startsWith("red").render().query).toBe("@title:$p0*");
    expect(col("title").fuzzy("redis", 2).render().query).toBe("@title:%%$p0%%");
    expect(col("title").phrase(["fast", "cache"]).render().query).toBe('@title:"$p0 $p1"');
    expect(col("title").phrase(["fast", "cache"], { slop: 2, inOrder: true }).render().query).toBe(
      "@title:($p0 $p1) => { $slop: 2; $inorder: true; }",
    );
    expect(col("a").gt(1).and(col("b").eq("x").optional()).render().query).toBe("@a:[($p0 +inf] ~(@b:{$p1})");
    expect(col("loc").withinRadius(-0.12, 51.5, 10, "km").render().query).toBe("@loc:[$p0 $p1 $p2 km]");
    const knn = col("v")
      .knn(3, [1, 0], { filter: col("t").eq("x") })
      .render();
    expect(knn.query).toBe("(@t:{$p0})=>[KNN $p1 @v $p2 AS __vector_score]");
    expect(knn.params.p2).toEqual(Buffer.from(Float32Array.from([1, 0]).buffer));
    expect(
      col("v")
        .vectorRange(0.5, Float32Array.from([1, 2]))
        .render().query,
    ).toBe("@v:[VECTOR_RANGE $p0 $p1]");
    expect(all().render().query).toBe("*");
    expect(term("hello").render().query).toBe("$p0");
  });

  it("parenthesises OR inside AND and flattens nested ANDs", () => {
    const query = col("a")
      .gt(1)
      .and(col("b").eq("x").or(col("c").lt(2)))
      .and(col("d").eq("y"));
    expect(query.render().query).toBe("@a:[($p0 +inf] (@b:{$p1} | @c:[-inf ($p2]) @d:{$p3}");
    expect(q.or(col("a").eq("x"), col("a").eq("y")).render().query).toBe("(@a:{$p0} | @a:{$p1})");
  });

  it("escapes field names and keeps special characters of values out of the query text", () => {
    const query = col("first-name").eq('a{b}|c"@$:*-');
    expect(query.render()).toEqual({ query: "@first\\-name:{$p0}", params: { p0: 'a{b}|c"@$:*-' } });
    expect(query.toString()).toBe('@first\\-name:{$p0}  PARAMS p0="a{b}|c\\"@$:*-"');
    expect(col("a").gt(3).and(col("b").eq("x")).inline()).toBe('@a:[(3 +inf] @b:{"x"}');
  });

  it("keeps raw queries, with their own params", () => {
    expect(raw("@x:{$mine}", { mine: "v" }).and(col("a").gt(1)).render()).toEqual({
      query: "(@x:{$mine}) @a:[($p0 +inf]",
      params: { mine: "v", p0: 1 },
    });
    expect(() => raw("@x:{$p0}", { p0: "v" }).render()).toThrow(/reserved/);
  });

  it("refuses bad input before anything is sent", () => {
    const bad = [
      () => col(""),
      () => col("a").gt(Number.NaN),
      () => col("a").gt("3" as unknown as number),
      () => col("a").between(5, 1),
      () => col("a").isIn([]),
      () => col("t").contains("two words"),
      () => col("t").startsWith("a"),
      () => col("t").fuzzy("x", 4),
      () => col("t").phrase([]),
      () => col("loc").withinRadius(200, 0, 1),
      () => col("v").knn(0, [1]),
      () => col("v").knn(2, [1]).and(col("a").gt(1)),
      () => col("a").gt(1).boost(0),
      () => raw(" "),
      () => q.not(42 as never),
      () => defineIndex({ name: "i", fields: [{ name: "a", type: "text" }], prefix: ["a:"] } as never),
      () => indexFromFrame({ a: [1] } as never, { name: "i" }),
      () => indexFromFrame(pl.DataFrame({ a: [1] }), { name: "i", textField: ["a"] } as never),
    ];
    for (const attempt of bad) {
      const error = (() => {
        try {
          attempt();
        } catch (caught) {
          return caught;
        }
      })();
      expect(InvalidArgumentError.isInstance(error), String(attempt)).toBe(true);
    }
  });
});

describe("toPolars", () => {
  const frame = pl.DataFrame({
    age: [25, 35, null, 45],
    city: ["London", "paris", "Rome", null],
    tags: ["a, b", "B", "c", null],
    title: ["Fast Redis cache", "slow disk", "redis-cluster notes", null],
  });
  const keep = (query: ReturnType<typeof col>["gt"] extends (...a: never[]) => infer R ? R : never) =>
    frame.filter(query.toPolars()).getColumn("age").toArray();

  it("evaluates ranges, tags (case-insensitive, multi-valued) and text words like RediSearch", () => {
    expect(keep(col("age").gt(30))).toEqual([35, 45]);
    expect(keep(col("city").isIn(["LONDON", "Paris"]))).toEqual([25, 35]);
    expect(keep(col("tags").eq("b"))).toEqual([25, 35]);
    expect(keep(col("title").contains("redis"))).toEqual([25, null]);
    expect(keep(col("title").startsWith("clu"))).toEqual([null]);
    expect(keep(col("title").phrase(["redis", "cache"]))).toEqual([25]);
  });

  it("treats a missing value as not matching, so negation includes it (set complement)", () => {
    expect(keep(col("age").gt(30).not())).toEqual([25, null]);
    expect(keep(col("age").gt(30).or(col("city").eq("rome")))).toEqual([35, null, 45]);
    expect(keep(col("age").gt(100).optional())).toEqual([25, 35, null, 45]);
  });

  it("refuses clauses Polars cannot evaluate the same way", () => {
    for (const query of [
      col("title").fuzzy("redis"),
      col("loc").withinRadius(0, 0, 1),
      col("v").vectorRange(1, [1]),
      raw("@a:[1 2]"),
      col("title").phrase(["a", "b"], { slop: 1 }),
      term("x"),
    ]) {
      expect(() => query.toPolars(), query.toString()).toThrow(/no Polars equivalent/);
      expect(query.hasPolarsEquivalent()).toBe(false);
    }
  });
});
