console.log('verify: not yet')
