console.log("moor")
