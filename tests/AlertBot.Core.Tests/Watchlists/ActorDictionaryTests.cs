using AlertBot.Core.Matching;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Tests.Watchlists;

public sealed class ActorDictionaryTests
{
    [Theory]
    [InlineData("Qaani", "Esmail Qaani")]
    [InlineData("ghaani", "Esmail Qaani")]
    [InlineData("Qa’ani", "Esmail Qaani")]
    [InlineData("Qāʾānī", "Esmail Qaani")]
    [InlineData("Esmaeil Ghaani", "Esmail Qaani")]
    [InlineData("HOUTHI", "Houthis")]
    [InlineData("Huthis", "Houthis")]
    [InlineData("ansar allah", "Houthis")]
    [InlineData("Ansarullah", "Houthis")]
    [InlineData("Bab al‑Mandab", "Red Sea")]
    [InlineData("Bab el Mandeb", "Red Sea")]
    [InlineData("Revolutionary Guards", "IRGC")]
    [InlineData("Sepah", "IRGC")]
    [InlineData("Hizballah", "Hezbollah")]
    [InlineData("Kata'ib Hezbollah", "Kataib Hezbollah")]
    [InlineData("Hashd al-Sha’bi", "Popular Mobilization Forces")]
    [InlineData("Araqchi", "Abbas Araghchi")]
    [InlineData("الحوثيون", "Houthis")]
    public void Shipped_dictionary_resolves_names_and_aliases(string term, string actor) =>
        Assert.Equal(actor, ShippedFiles.Actors.Resolve(term)?.Name);

    [Theory]
    [InlineData("Iranian")]
    [InlineData("Red")]
    [InlineData("Quds")]
    [InlineData("Ghani")]
    [InlineData("Houthi rebels in Yemen")]
    public void Shipped_dictionary_does_not_resolve_false_friends_or_fragments(string term) =>
        Assert.Null(ShippedFiles.Actors.Resolve(term));

    [Fact]
    public void Shipped_dictionary_covers_the_seed_story_world()
    {
        string[] expected =
        [
            "Esmail Qaani", "Houthis", "Red Sea", "Quds Force", "IRGC", "Hezbollah", "Hamas", "Iran", "Iraq", "Israel",
            "Kataib Hezbollah", "Popular Mobilization Forces", "Abbas Araghchi",
        ];
        Assert.All(expected, name => Assert.Same(ShippedFiles.Actors.Actors.Single(a => a.Name == name), ShippedFiles.Actors.Resolve(name)));
        Assert.Contains("Bank Sepah", ShippedFiles.Actors.Resolve("IRGC")!.FalseFriends);
        Assert.False(string.IsNullOrWhiteSpace(ShippedFiles.Actors.Resolve("Qaani")!.Notes));
    }

    [Fact]
    public void Loads_an_operator_file_with_comments_and_trailing_commas()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("actors.json", """
            {
              // operators annotate their files
              "actors": [
                { "name": "Wagner Group", "aliases": ["Wagner", "Africa Corps",], "notes": "PMC" },
                { "name": "Al-Shabaab" },
              ]
            }
            """);

        var actors = ActorDictionary.Load(path);

        Assert.Equal(2, actors.Actors.Count);
        Assert.Equal("Wagner Group", actors.Resolve("africa corps")?.Name);
        Assert.Equal("Al-Shabaab", actors.Resolve("al shabaab")?.Name);
        Assert.Empty(actors.Resolve("Al-Shabaab")!.Aliases);
        Assert.Null(actors.Resolve("Africa"));
    }

    [Fact]
    public void Loads_demonyms_descriptions_stop_words_and_dictionary_false_friends()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("actors.json", """
            {
              "falseFriends": ["Kaani Street"],
              "stopWords": ["Ghaani"],
              "actors": [
                { "name": "Qaani" },
                { "name": "Sudan", "demonyms": ["Sudanese"], "aliases": ["السودان"] },
                { "name": "RSF", "aliases": ["Rapid Support Forces"], "generateForms": false,
                  "descriptions": [ { "pattern": "Sudan's (paramilitary|paramilitaries)", "label": "Sudan's paramilitaries" },
                                    { "pattern": "paramilitary (fighters|forces)", "near": ["Darfur", "El Fasher"], "window": 5 } ] },
              ]
            }
            """);

        var actors = ActorDictionary.Load(path);
        IReadOnlyList<TermHit> Hits(string term, string text) =>
            CompiledMatcher.Build([new MatchRule(1, term)], actors).MatchText(text).For(1);

        Assert.Single(Hits("Qaani", "Qaani spoke."));
        Assert.Empty(Hits("Qaani", "Ghaani spoke.")); // a stop word of the file
        Assert.Empty(Hits("Qaani", "Kaani spoke.")); // inside a false friend of the file
        Assert.Single(Hits("Sudan", "Sudanese troops advanced."));
        Assert.Single(Hits("Sudan", "قال مسؤولون سودانيون إن الهدنة صمدت."));
        Assert.Empty(Hits("=Sudan", "Sudanese troops advanced."));
        Assert.Equal("Sudan's paramilitaries", Assert.Single(Hits("RSF", "Sudan's paramilitaries took the town.")).Alias);
        Assert.Single(Hits("RSF", "In El Fasher, paramilitary fighters shelled a camp."));
        Assert.Empty(Hits("RSF", "Paramilitary forces paraded in Moscow."));
    }

    [Theory]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"descriptions\": [ { \"pattern\": \"(a|b\" } ] } ] }", "actor \"X\": description pattern \"(a|b\"")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"descriptions\": [ { \"label\": \"y\" } ] } ] }", "without a \"pattern\"")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"descriptions\": [ { \"pattern\": \"a\", \"window\": 500 } ] } ] }", "window 500")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", ", "not valid")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"alises\": [\"Y\"] } ] }", "alises")]
    [InlineData("{ \"actors\": [ { \"aliases\": [\"Y\"] } ] }", "actors[0] has no \"name\"")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"aliases\": [\"\"] } ] }", "empty alias")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"aliases\": [\"--\"] } ] }", "has no letters or digits")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"aliases\": [\"Hezbollah\"] }, { \"name\": \"HEZBOLLAH\" } ] }", "also a name or alias of actor \"X\"")]
    [InlineData("{ \"actors\": [ { \"name\": \"Red Sea\", \"falseFriends\": [\"Dead Sea\"] } ] }", "false friend \"Dead Sea\" contains none")]
    [InlineData("{ \"actors\": [ { \"name\": \"X\", \"aliases\": \"Y\" } ] }", "not valid")]
    [InlineData("{ \"people\": [] }", "people")]
    [InlineData("{ }", "no \"actors\" array")]
    [InlineData("null", "null")]
    public void A_bad_file_throws_naming_the_file_and_the_fault(string content, string fault) =>
        TempDirectory.AssertLoadFails(path => ActorDictionary.Load(path), content, fault);

    [Fact]
    public void A_missing_file_throws_file_not_found_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "actors.json");

        var error = Assert.Throws<FileNotFoundException>(() => ActorDictionary.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_refuses_a_spelling_claimed_by_two_actors() =>
        Assert.Throws<ArgumentException>(() => new ActorDictionary(
        [
            new Actor("Iran", ["Islamic Republic"]),
            new Actor("Pakistan", ["Islamic Republic"]),
        ]));
}
