namespace AlertBot.Testing;

/// <summary>
/// The trait that splits the suite: tests that start the real process, run a cluster of instances on PostgreSQL, or
/// take many seconds of wall clock carry <c>[Trait(TestSpeed.Trait, TestSpeed.Slow)]</c> (on the class, unless one
/// test of a fast class is the slow one). A developer runs the rest with
/// <c>dotnet test AlertBot.sln --filter "Speed!=Slow"</c>; <c>dotnet test AlertBot.sln</c> and <c>.ci/run</c> run all.
/// </summary>
public static class TestSpeed
{
    public const string Trait = "Speed";

    public const string Slow = "Slow";
}
